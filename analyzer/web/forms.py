"""Form validation for the coach web app (Django forms: typed, bounded, escaped)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from analyzer.web.models import Athlete, Team


class UploadForm(forms.Form):
    """A clip, who is in it, when it was filmed and what the analysis should know."""

    clip = forms.FileField(help_text="A phone video of one backpedal rep (mp4 or mov).")
    athlete = forms.ModelChoiceField(queryset=Athlete.objects.none(), required=False)
    new_athlete = forms.CharField(max_length=120, required=False, label="or a new athlete")
    recorded_on = forms.DateField(
        initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    athlete_height_m = forms.FloatField(
        required=False, min_value=1.0, max_value=2.3, label="Height (m)",
        help_text="Optional: gives lengths in metres.",
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["athlete"].queryset = Athlete.objects.filter(team=team)

    def athlete_for_clip(self) -> Athlete | None:
        """The chosen athlete, adding a new one to the roster when a name was typed."""
        name = (self.cleaned_data.get("new_athlete") or "").strip()
        if name:
            athlete, _ = Athlete.objects.get_or_create(team=self.team, name=name)
            return athlete
        return self.cleaned_data.get("athlete")


class AthleteForm(forms.ModelForm):
    """An athlete to add to the roster."""

    class Meta:
        model = Athlete
        fields = ("name", "position", "height_m")
        labels = {"height_m": "Height (m)"}  # noqa: RUF012 (Django's Meta convention)

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["height_m"].widget.attrs.update(min="1.0", max="2.3", step="0.01")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Athlete.objects.filter(team=self.team, name__iexact=name).exists():
            raise forms.ValidationError("This athlete is already on the roster.")
        return name

    def clean_height_m(self):
        h = self.cleaned_data.get("height_m")
        if h is not None and not 1.0 <= h <= 2.3:
            raise forms.ValidationError("Give the height in metres, e.g. 1.80.")
        return h


class ShareForm(forms.Form):
    """A label for a new share link (who it is for)."""

    label = forms.CharField(max_length=80, required=False)


class ImportForm(forms.Form):
    """A zip of a ``backpedal batch`` output folder (summary.csv and the per-clip folders)."""

    archive = forms.FileField(help_text="Zip the batch output folder and upload it here.")
