"""Hostile-input harness and fuzz reproducers: every crash the fuzzers found stays here as a regression test."""
