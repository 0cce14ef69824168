"""Personal data as GDPR asks of a brand: a member's archive, erasure, and avatars."""
