"""The explorer's screens: the main screen and its modal forms."""
