"""The fake vendor's one variant: how it greets."""

from __future__ import annotations

from campaign_mock.engine.variants import Variant

GREETING = Variant(
    name="fakevendor.greeting",
    description="The reference greets plainly; the blog shows a formal greeting.",
    choices={"plain": ("https://docs.fake.example/greeting",), "formal": ("https://blog.fake.example/greeting",)},
    default="plain",
)
