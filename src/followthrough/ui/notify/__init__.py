"""Desktop notifications for new alerts: the policy glue and the bridge to the desktop."""

from followthrough.ui.notify.notifier import AlertNotifier

__all__ = ["AlertNotifier"]
