"""The Today list: open alerts and what to do about them."""
