"""Where a therapist may see a client by video: the licence check's data and its one rule.

A video session happens where the client is, so the therapist must be licensed
there. Therapists record the jurisdictions of their licences (ISO 3166-2 codes:
US-NY, US-CA, CA-ON) and, apart, the jurisdictions an interstate compact gives
them (PSYPACT, the Counseling Compact).

Compacts are not modelled as member lists: membership changes by statute every
year, and a compact's privilege to practise is per therapist (PSYPACT's APIT,
the Counseling Compact's privilege to practice) and per state they registered
for. So the therapist enters the jurisdictions their compact privileges give
them, which is what a licensing board would ask them to show. ``COMPACTS``
names the compacts only, for the profile page's wording (as of 2025).

The client's location is never guessed from their address on the network: the
picker defaults from their time zone (``ZONE_REGION``, a likely region only)
and they correct it.
"""

import re

from django.core.exceptions import ValidationError

COMPACTS = {
    "PSYPACT": "PSYPACT (Psychology Interjurisdictional Compact)",
    "COUNSELING": "Counseling Compact",
}

# The regions a client can say they will be in: United States (states, DC, territories),
# Canada (provinces and territories), the United Kingdom's nations, Ireland, Australia.
REGIONS = {
    "US-AL": "Alabama",
    "US-AK": "Alaska",
    "US-AZ": "Arizona",
    "US-AR": "Arkansas",
    "US-CA": "California",
    "US-CO": "Colorado",
    "US-CT": "Connecticut",
    "US-DE": "Delaware",
    "US-DC": "District of Columbia",
    "US-FL": "Florida",
    "US-GA": "Georgia",
    "US-HI": "Hawaii",
    "US-ID": "Idaho",
    "US-IL": "Illinois",
    "US-IN": "Indiana",
    "US-IA": "Iowa",
    "US-KS": "Kansas",
    "US-KY": "Kentucky",
    "US-LA": "Louisiana",
    "US-ME": "Maine",
    "US-MD": "Maryland",
    "US-MA": "Massachusetts",
    "US-MI": "Michigan",
    "US-MN": "Minnesota",
    "US-MS": "Mississippi",
    "US-MO": "Missouri",
    "US-MT": "Montana",
    "US-NE": "Nebraska",
    "US-NV": "Nevada",
    "US-NH": "New Hampshire",
    "US-NJ": "New Jersey",
    "US-NM": "New Mexico",
    "US-NY": "New York",
    "US-NC": "North Carolina",
    "US-ND": "North Dakota",
    "US-OH": "Ohio",
    "US-OK": "Oklahoma",
    "US-OR": "Oregon",
    "US-PA": "Pennsylvania",
    "US-RI": "Rhode Island",
    "US-SC": "South Carolina",
    "US-SD": "South Dakota",
    "US-TN": "Tennessee",
    "US-TX": "Texas",
    "US-UT": "Utah",
    "US-VT": "Vermont",
    "US-VA": "Virginia",
    "US-WA": "Washington",
    "US-WV": "West Virginia",
    "US-WI": "Wisconsin",
    "US-WY": "Wyoming",
    "US-PR": "Puerto Rico",
    "US-GU": "Guam",
    "US-VI": "U.S. Virgin Islands",
    "CA-AB": "Alberta",
    "CA-BC": "British Columbia",
    "CA-MB": "Manitoba",
    "CA-NB": "New Brunswick",
    "CA-NL": "Newfoundland and Labrador",
    "CA-NS": "Nova Scotia",
    "CA-NT": "Northwest Territories",
    "CA-NU": "Nunavut",
    "CA-ON": "Ontario",
    "CA-PE": "Prince Edward Island",
    "CA-QC": "Quebec",
    "CA-SK": "Saskatchewan",
    "CA-YT": "Yukon",
    "GB-ENG": "England",
    "GB-NIR": "Northern Ireland",
    "GB-SCT": "Scotland",
    "GB-WLS": "Wales",
    "IE": "Ireland",
    "AU-ACT": "Australian Capital Territory",
    "AU-NSW": "New South Wales",
    "AU-NT": "Northern Territory",
    "AU-QLD": "Queensland",
    "AU-SA": "South Australia",
    "AU-TAS": "Tasmania",
    "AU-VIC": "Victoria",
    "AU-WA": "Western Australia",
}

# A zone's most likely region, for the picker's first choice only (a zone spans several
# states: America/New_York is also New Jersey's and Florida's). Unlisted: no default.
ZONE_REGION = {
    "America/New_York": "US-NY",
    "America/Detroit": "US-MI",
    "America/Indiana/Indianapolis": "US-IN",
    "America/Kentucky/Louisville": "US-KY",
    "America/Chicago": "US-IL",
    "America/Denver": "US-CO",
    "America/Boise": "US-ID",
    "America/Phoenix": "US-AZ",
    "America/Los_Angeles": "US-CA",
    "America/Anchorage": "US-AK",
    "Pacific/Honolulu": "US-HI",
    "America/Puerto_Rico": "US-PR",
    "America/Toronto": "CA-ON",
    "America/Montreal": "CA-QC",
    "America/Vancouver": "CA-BC",
    "America/Edmonton": "CA-AB",
    "America/Winnipeg": "CA-MB",
    "America/Regina": "CA-SK",
    "America/Halifax": "CA-NS",
    "America/Moncton": "CA-NB",
    "America/St_Johns": "CA-NL",
    "America/Whitehorse": "CA-YT",
    "Europe/London": "GB-ENG",
    "Europe/Dublin": "IE",
    "Australia/Sydney": "AU-NSW",
    "Australia/Melbourne": "AU-VIC",
    "Australia/Brisbane": "AU-QLD",
    "Australia/Perth": "AU-WA",
    "Australia/Adelaide": "AU-SA",
    "Australia/Hobart": "AU-TAS",
    "Australia/Darwin": "AU-NT",
}


def _codes(text: str) -> list[str]:
    """Codes typed with commas or spaces ("US-NY, us-nj"), upper-cased, sorted, deduplicated."""
    return sorted({part.upper() for part in re.split(r"[\s,;]+", (text or "").strip()) if part})


def _wrong(code: str) -> str:
    """Why ``code`` is no place a client can be, in words that say what to type instead."""
    if code == "CA":
        return "CA is Canada: for California write US-CA, for a province e.g. CA-ON"
    for country in ("US", "CA", "AU", "GB"):
        if f"{country}-{code}" in REGIONS:
            return f"{code}: write {country}-{code} for {REGIONS[country + '-' + code]}"
    return f"{code} is not a place we know"


def jurisdictions_parse(text: str) -> list[str]:
    """The codes typed, each one a place a client can pick (``REGIONS``: a code outside it
    could never match a client, so a therapist typing "NY" would silently be offered to
    nobody), or ValueError naming what to type instead."""
    codes = _codes(text)
    wrong = [_wrong(code) for code in codes if code not in REGIONS]
    if wrong:
        raise ValueError("; ".join(wrong))
    return codes


def validate_jurisdictions(text: str) -> None:
    try:
        jurisdictions_parse(text)
    except ValueError as exc:
        raise ValidationError(
            f"{exc}. Use ISO 3166-2 codes such as US-NY, US-CA, CA-ON, GB-ENG or IE."
        ) from exc


def region_from_zone(zone_name: str) -> str:
    return ZONE_REGION.get(zone_name, "")


def region_label(code: str) -> str:
    return f"{REGIONS[code]} ({code})" if code in REGIONS else code


def licensed_in(therapist, region: str) -> bool:
    """The one rule: a video session with a client in ``region`` needs the therapist's
    licence there, or a compact privilege there (both as the therapist recorded them)."""
    if not region:
        return False
    # Read leniently: a row saved before the codes were checked must not break a page.
    held = _codes(therapist.licence_jurisdictions) + _codes(therapist.compact_jurisdictions)
    return region.upper() in held
