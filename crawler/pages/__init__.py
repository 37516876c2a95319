"""Page reading, the crawler's bottom: `html` (trees, text, links, detail metadata) and `layouts`
(one module per CMS family, and their registry)."""
