"""Ceiling reference for bench_crawl.py: one Scrapy process with the framework settings our crawl
uses (crawler/settings.py: uvloop, one item at a time, no downloader stats, Scrapy's loggers at
WARNING) fetching and decoding the same URLs, with no extraction, no store, no middlewares of
ours and no politeness (robots off). Prints pages/s as JSON.
Run by bench_crawl.py in a child process: python bench/bare_scrapy.py URLS_FILE"""
import json
import logging
import sys
import time

import scrapy
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

URLS = open(sys.argv[1], encoding="utf-8").read().split()


class Bare(scrapy.Spider):
    name = "bare"

    async def start(self):
        for url in URLS:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response):
        yield {"chars": len(response.text)}


settings = Settings()
settings.setmodule("crawler.settings")
settings.setdict({"ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                  "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {},
                  "DOWNLOAD_HANDLERS": {}, "SPIDER_MODULES": [], "LOG_LEVEL": "WARNING"})
process = AsyncCrawlerProcess(settings)
logging.getLogger("scrapy").setLevel(logging.WARNING)
started = time.perf_counter()
process.crawl(Bare)
process.start()
print(json.dumps({"pages_per_s": len(URLS) / (time.perf_counter() - started)}))
