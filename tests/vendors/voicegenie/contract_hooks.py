"""VoiceGenie's settings for the Schemathesis run in tests/contract.

The run's session lifts the per-endpoint rate limits (x-rate-limit), so the run is not a series of 429s. Every
check runs. Some schema-valid requests are refused by rules JSON Schema cannot state, and are left out of
positive_data_acceptance only:

- a phone number that is not E.164 (400 INVALID_PHONE_NUMBER, or dropped / 500 on createContactAndCampaign), and a
  third-party call number that is not 10 to 15 digits;
- required fields whose absence the pages answer with their own error (createCampaign's 400 INVALID_PARAMETERS,
  login's 422, uploadCampaignData without campaign_name, a scheduled upload-and-run contact without its time,
  an empty initial prompt, an empty campaign name to check, an unsupported language or accent, a batch without
  users or with an incomplete user);
- rules on the state, not the request: start (400 already running, 422 not startable), pause (400 not running),
  delete (400 running), fetchNewGenerativeBotScript (422 for any user but the scenario's), an upload whose file
  has no phone_number column, an exclusion whose file lacks the searchKey column.
"""

from __future__ import annotations

import re

import schemathesis

HEADERS = {"x-api-key": "vg_test_voicegenie"}
# Reached in the stateful run only through the links from fetchCampaignData and fetchContacts (the first listed
# campaign or contact): a generated UUID names nothing.
STATEFUL_CHAINED = {"get_campaign", "get_campaign_stats", "get_history"}
STATEFUL_FOUND = {"start_campaign"}
_LIMITED = (
    "fetch_campaign_data",
    "get_campaign_stats",
    "upload_campaign_data",
    "fetch_script",
    "create_script",
    "download_campaign_stats",
)
SCENARIO = "extends: default\nrate_limits:\n  voicegenie:\n    operations:\n" + "".join(
    f"      {op}: {{limit: 1000000, window_seconds: 60}}\n" for op in _LIMITED
)

_E164 = re.compile(r"\+?[1-9]\d{6,14}")
_CALL_PHONE = re.compile(r"\d{10,15}")
_LANGUAGES = {
    "en-US": ("american", "british", "australian", "indian", "neutral"),
    "en-GB": ("american", "british", "australian", "indian", "neutral"),
    "en-IN": ("american", "british", "australian", "indian", "neutral"),
    "es-ES": ("spain", "mexican", "argentinian"),
    "fr-FR": ("france", "canadian"),
    "de-DE": ("standard", "austrian"),
    "hi-IN": ("standard", "delhi", "mumbai"),
}
# Operations whose 400/422 answers follow the state, or a rule on the request JSON Schema cannot state.
_STATE_RULES = {
    "/startCampaign/{campaignId}",
    "/startCampaignv2/{campaignId}",
    "/pauseTheCampaign/{campaignId}",
    "/deleteCampaign/{campaignId}",
    "/fetchNewGenerativeBotScript",
    "/auth/login",
    "/createCampaign",
    "/uploadCampaignData",
    "/excludeContactsFromCampaign/{campaignId}",
    "/initiateBatchCall",
    "/initiateBatchCallUsingSheet",
}


def refused_though_valid(case: schemathesis.Case) -> bool:
    path, body = case.path, case.body
    if path in _STATE_RULES:
        return True
    if not isinstance(body, dict):
        return False
    if path in ("/createContact", "/createContactAndCampaign", "/uploadCampaignDataAndRun"):
        numbers = [body.get("phone_number")]
        for key in ("userData", "contacts"):
            items = body.get(key)
            if isinstance(items, list):  # negative cases may send other types
                numbers += [item.get("phone_number") for item in items if isinstance(item, dict)]
        if any(isinstance(n, str) and not _E164.fullmatch(n) for n in numbers):
            return True
        if path == "/uploadCampaignDataAndRun" and body.get("isScheduledCall") is True:
            return True
    if path == "/checkCampaignNameExistence":
        return not body.get("campaignName")
    if path == "/initiateCall":
        number = body.get("userPhoneNumber")
        return isinstance(number, str) and not _CALL_PHONE.fullmatch(number)
    if path == "/createScript":
        content = body.get("script_content")
        prompt = content.get("initial_prompt") if isinstance(content, dict) else None
        language = body.get("language", "en-US")
        accents = _LANGUAGES.get(language) if isinstance(language, str) else None
        accent = body.get("accent", "neutral" if accents and "neutral" in accents else (accents or ("",))[0])
        return (isinstance(prompt, str) and not prompt.strip()) or accents is None or accent not in accents
    return False
