"""The person's calendar: meetings with leads read from CalDAV or a private iCalendar address."""
