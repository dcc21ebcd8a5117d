"""Aidants Connect: organisations habilitées, aidants, usagers, mandats and their journal."""
