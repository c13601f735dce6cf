"""The "Follow-up" tab: the numbers of the method, grouped the way a person thinks of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.policy import INT_FIELDS, RANGES, Policy
from followthrough.ui.settings.fields import SettingsPage, hint_label
from followthrough.ui.settings.layout import (
    NumberBox,
    form_labels,
    same_label_width,
    same_width,
    tidy_form,
)


@dataclass(frozen=True)
class Knob:
    field: str
    label: str
    unit: str
    hint: str


# Declared as data so that the page, its tests and any new policy number stay in step.
GROUPS: tuple[tuple[str, tuple[Knob, ...]], ...] = (
    ("Silence windows", (
        Knob("hot_silence_days", "&Hot leads", "days",
             "Quiet this long after your last message: time to follow up."),
        Knob("warm_silence_days", "&Warm leads", "days",
             "The same for Warm leads, which move more slowly."),
    )),
    ("Pestering guard", (
        Knob("guard_touches", "Unanswered &messages", "messages",
             "After this many without a reply, stop chasing and close the loop."),
    )),
    ("Stalls and fades", (
        Knob("stall_hours", "No next &step", "hours",
             "A Hot or Warm lead with no next step is flagged after this long."),
        Knob("fade_days", "Back from Recycle, s&ilent", "days",
             "A lead brought back that stays silent this long may be lost."),
    )),
    ("Buyer signals", (
        Knob("proposal_views", "&Proposal views", "views",
             "The proposal opened this many times…"),
        Knob("proposal_views_hours", "…within", "hours", "…in this time: they are weighing it."),
        Knob("link_clicks", "&Link clicks", "clicks", "A link clicked this many times…"),
        Knob("link_clicks_hours", "…within", "hours", "…in this time: interest is up."),
        Knob("pricing_silence_hours", "Silence after pricin&g", "hours",
             "Price came up, then nothing for this long: price is the doubt."),
        Knob("drop_engagements", "&Engagement drop", "exchanges",
             "A lead that had this many exchanges…"),
        Knob("drop_before_days", "…within", "days", "…in this time…"),
        Knob("drop_quiet_days", "…then quiet for", "days", "…and none since: ask what changed."),
    )),
    ("Momentum half-lives", (
        Knob("hot_half_life_days", "Hot leads", "days",
             "Momentum halves every this many days without a sign from the buyer."),
        Knob("warm_half_life_days", "Warm leads", "days", "The same for Warm leads."),
    )),
    ("Outcome window", (
        Knob("outcome_days", "&Count a reply within", "days",
             "A reply this soon after you acted on an alert counts for that alert."),
    )),
)  # fmt: skip


class FollowUpPage(SettingsPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spins: dict[str, QSpinBox | QDoubleSpinBox] = {}
        self._shown: dict[str, float] = {}

        content = QWidget(self)
        column = QVBoxLayout(content)
        forms = []
        for title, knobs in GROUPS:
            box = QGroupBox(title, content)
            form = tidy_form(QFormLayout(box))
            forms.append(form)
            for knob in knobs:
                spin = self._spin(knob, box)
                hint = hint_label(knob.hint, box)
                row = QHBoxLayout()
                row.addWidget(spin)
                row.addWidget(hint, 1)
                label = QLabel(knob.label, box)
                label.setBuddy(spin)
                form.addRow(label, row)
                form.addRow("", self.problem_slot(knob.field))
            column.addWidget(box)
        column.addStretch(1)
        # One form per group: equal label columns and equal boxes make the numbers one column.
        same_label_width(label for form in forms for label in form_labels(form))
        same_width(self.spins.values())

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        self.restore = QPushButton("Restore &defaults", self)
        self.restore.setAccessibleName("Restore the default follow-up numbers")
        self.restore.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.restore)

    def _spin(self, knob: Knob, parent: QWidget) -> QSpinBox | QDoubleSpinBox:
        spin: QSpinBox | QDoubleSpinBox
        if knob.field in INT_FIELDS:
            spin = QSpinBox(parent)
            low, high = RANGES[knob.field]
            spin.setRange(int(low), int(high))
        else:
            spin = NumberBox(parent)  # "2 days", and "0.25 days" only when it is that
            # Two decimals: a value set from the command line (0.25 days) survives a round trip.
            spin.setDecimals(2)
            spin.setRange(*RANGES[knob.field])
        spin.setSuffix(f" {knob.unit}")
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        spin.setAccessibleName(knob.label.replace("&", "").replace("…", "").strip().capitalize())
        spin.setAccessibleDescription(knob.hint)
        spin.setToolTip(knob.hint)
        spin.setObjectName(knob.field)
        self.spins[knob.field] = spin
        return spin

    def show_policy(self, policy: Policy) -> None:
        for name, spin in self.spins.items():
            spin.setValue(getattr(policy, name))
            # What the box shows after rounding to its range: only real edits count as changes.
            self._shown[name] = spin.value()

    def restore_defaults(self) -> None:
        for name, spin in self.spins.items():
            spin.setValue(getattr(Policy(), name))

    def changes(self) -> dict[str, Any]:
        """The numbers the user edited since they were shown."""
        return {
            name: spin.value()
            for name, spin in self.spins.items()
            if spin.value() != self._shown.get(name)
        }
