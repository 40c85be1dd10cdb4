"""Alert pages: the notification log and the test-alert button."""
