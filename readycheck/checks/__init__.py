"""Check functions: what a JSON Schema cannot say. Rules name them as `module.function`.

A check takes a Subject and the rule's options and yields Hits.
"""
