"""Signed-in browsers named in words from their User-Agent, as the account page lists them."""

import pytest

from hotline.auth.browsers import describe_browser

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)
CHROME_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (CHROME_ANDROID, "Chrome 131 on Android"),
        (EDGE_WINDOWS, "Edge 131 on Windows"),  # not "Chrome", which it also says
        (SAFARI_MAC, "Safari 18 on macOS"),
        (CHROME_IPAD, "Chrome 131 on iPadOS"),  # not "Safari", which it also says
        (FIREFOX_LINUX, "Firefox 128 on Linux"),
        ("curl/8.5.0", "curl 8"),
        ("Mozilla/5.0 (Windows NT 10.0) SomethingNew/1.0", "Unknown browser on Windows"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_browser_and_system_in_words(app, user_agent, described):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert describe_browser(user_agent) == described
