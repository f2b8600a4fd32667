"""The spoken call as a WAV file, rendered on the server for displays without a browser voice."""
import re
from pathlib import Path

from flask import abort, current_app, send_file

from shared.i18n import LANGUAGES, N_
from shared.views.announce import announcement
from shared.web import context
from shared.web.errors import error_response
from shared.web.speech import Speech, SpeechUnavailable

from .blueprint import bp

# A printed ticket number (`A-001`, `B-1234`): the only text a request can have spoken.
TICKET_NUMBER = re.compile(r"^[A-Z]-[0-9]{3,6}$")
# Speech files are the same for a given address for as long as the voice is: cache them a day.
CACHE_SECONDS = 24 * 60 * 60


def renderer() -> Speech:
    """The office's speech renderer, its cache in the instance folder (`speech/`)."""
    found = current_app.extensions.get("antrean.speech")
    if found is None:
        found = Speech(Path(current_app.instance_path) / "speech",
                       program=current_app.config.get("ANTREAN_SPEECH_PROGRAM", "espeak-ng"))
        current_app.extensions["antrean.speech"] = found
    return found


@bp.get("/display/speech/<language>/<number>/<int:counter>.wav")
def spoken_call(language: str, number: str, counter: int):
    """Public: "ticket NUMBER, please go to counter COUNTER" spoken in `language` (WAV, espeak-ng),
    the same sentence as the `called` event's `announce`; 404 for a language, number or counter
    the office does not have, 503 `speech_unavailable` without espeak-ng."""
    if language not in LANGUAGES or not TICKET_NUMBER.match(number) or context.office().config.counter(counter) is None:
        abort(404)
    try:
        path = renderer().wav(announcement(number, counter)[language], language)
    except SpeechUnavailable:
        current_app.logger.warning("speech unavailable: espeak-ng missing or failing")
        return error_response(503, "speech_unavailable", N_("Spoken calls are not available on this server."))
    return send_file(path, mimetype="audio/wav", max_age=CACHE_SECONDS, conditional=True)
