"""The embedded demo county: a simulated county portal for `gongkai demo`, tests and benchmarks.

generator.generate_county builds it, server.DemoServer serves it, config.demo_config_yaml
writes a config.yaml for it.
"""
