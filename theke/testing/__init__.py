"""Tools for testing bots: conversation tests (``theke test``)."""

from theke.testing.stories import Story, StoryResult, load_stories, run_stories

__all__ = ["Story", "StoryResult", "load_stories", "run_stories"]
