"""Ceiling reference for bench_crawl.py: Scrapy with its defaults fetching and decoding the same
URLs, with no extraction, no store and no politeness (robots off). Prints pages/s as JSON.
Run by bench_crawl.py in a child process: python bench/bare_scrapy.py URLS_FILE"""
import json
import sys
import time

import scrapy
from scrapy.crawler import CrawlerProcess

URLS = open(sys.argv[1], encoding="utf-8").read().split()


class Bare(scrapy.Spider):
    name = "bare"

    async def start(self):
        for url in URLS:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):
        yield {"chars": len(response.text)}


process = CrawlerProcess({"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
                          "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 16})
started = time.perf_counter()
process.crawl(Bare)
process.start()
print(json.dumps({"pages_per_s": len(URLS) / (time.perf_counter() - started)}))
