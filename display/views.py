"""The wall display pages: the whole office at `/display/`, one profile at `/display/<profile>`."""
from flask import abort, render_template, url_for
from flask_babel import gettext

from shared.domain.displays import ENTRANCE, DisplayProfile
from shared.i18n import N_
from shared.web import context

from .blueprint import bp

# The words the page script shows, in the page's language (all other text is in the template).
SCRIPT_TEXTS = {
    "counter": N_("Counter"), "soundOn": N_("Sound on"), "closed": N_("Closed"), "paused": N_("Break"),
    "more": N_("+%(count)s more"),
}


@bp.get("/display/")
def wall():
    """Full-screen display of the whole office: calls, waiting counts, invited numbers, live over Socket.IO."""
    return _render(context.office().config.display.profile(None))


@bp.get("/display/<profile>")
def profile_wall(profile: str):
    """A named display profile of office.toml `[display.profiles.NAME]`: one floor's counters, or the
    entrance screen (`/display/entrance`, the invited numbers large); 404 for an unknown name."""
    chosen = context.office().config.display.profile(profile)
    if chosen is None:
        abort(404)
    return _render(chosen)


def _render(profile: DisplayProfile):
    """The page of one profile; its setup (as JSON in the page) says what the script shows and says."""
    config = context.office().config
    language = context.language()
    services = [s for s in config.services if profile.services is None or s.code in profile.services]
    counters = [c for c in config.counters if profile.counters is None or c.number in profile.counters]
    setup = {
        "office": config.name,
        "utcOffsetZone": config.timezone,
        "kind": profile.kind,
        "profile": profile.name,
        "language": language,
        "announce": config.display.announce_for(profile),
        "speechUrl": url_for("display.wall") + "speech/",
        "services": {s.code: {**s.names.as_dict(), "prefix": s.prefix} for s in services},
        "counters": {str(c.number): c.name for c in counters},
        "lanes": {lane: names.as_dict() for lane, names in config.lane_names.items()},
        "texts": {key: gettext(text) for key, text in SCRIPT_TEXTS.items()},
    }
    template = "display/entrance.html" if profile.kind == ENTRANCE else "display/wall.html"
    return render_template(template, setup=setup, title=profile.title(language))
