"""Uppföljning (follow-up): the yearly statistics of spec §8, their charts, downloads
and the export command. It reads reporting and payments through their selectors and
is imported by neither (follow-up → payments → reporting → rehab)."""
