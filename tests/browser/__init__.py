"""Browser tests: Playwright driving Debian chromium against a real server."""
