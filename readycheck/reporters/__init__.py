"""Reporters are pure functions from a scan result to text."""
