"""Postal addresses as envelope and label lines, per the destination country's convention.

Supported explicitly: US, CA and AU (``City REGION POSTCODE`` on one line), GB and IE (post town
and postcode on lines of their own), DE, FR and the other ``POSTCODE City`` countries of Europe.
Any other country gets ``POSTCODE City`` with the region on a line of its own. The destination
country's English name in capitals ends the address only for international mail.
"""

from __future__ import annotations

# ISO 3166-1 codes (and the few extra ones phonenumbers accepts) with their English names, as
# written on the last line of international mail.
_COUNTRY_TABLE = """
AC Ascension Island|AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda
AI Anguilla|AL Albania|AM Armenia|AO Angola|AQ Antarctica|AR Argentina|AS American Samoa
AT Austria|AU Australia|AW Aruba|AX Aland Islands|AZ Azerbaijan|BA Bosnia and Herzegovina
BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin
BL Saint Barthelemy|BM Bermuda|BN Brunei Darussalam|BO Bolivia|BQ Caribbean Netherlands
BR Brazil|BS Bahamas|BT Bhutan|BV Bouvet Island|BW Botswana|BY Belarus|BZ Belize|CA Canada
CC Cocos (Keeling) Islands|CD Democratic Republic of the Congo|CF Central African Republic
CG Congo|CH Switzerland|CI Cote d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China
CO Colombia|CR Costa Rica|CU Cuba|CV Cabo Verde|CW Curacao|CX Christmas Island|CY Cyprus
CZ Czechia|DE Germany|DJ Djibouti|DK Denmark|DM Dominica|DO Dominican Republic|DZ Algeria
EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|ER Eritrea|ES Spain|ET Ethiopia|FI Finland
FJ Fiji|FK Falkland Islands|FM Micronesia|FO Faroe Islands|FR France|GA Gabon|GB United Kingdom
GD Grenada|GE Georgia|GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia
GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece
GS South Georgia and the South Sandwich Islands
GT Guatemala|GU Guam|GW Guinea-Bissau|GY Guyana|HK Hong Kong|HM Heard Island and McDonald Islands
HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man
IN India|IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|IT Italy|JE Jersey
JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros
KN Saint Kitts and Nevis|KP North Korea|KR South Korea|KW Kuwait|KY Cayman Islands|KZ Kazakhstan
LA Laos|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho
LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco|MD Moldova|ME Montenegro
MF Saint Martin|MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali|MM Myanmar
MN Mongolia|MO Macao|MP Northern Mariana Islands|MQ Martinique|MR Mauritania|MS Montserrat
MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique|NA Namibia
NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua|NL Netherlands|NO Norway
NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama|PE Peru|PF French Polynesia
PG Papua New Guinea|PH Philippines|PK Pakistan|PL Poland|PM Saint Pierre and Miquelon
PN Pitcairn Islands|PR Puerto Rico|PS Palestine|PT Portugal|PW Palau|PY Paraguay|QA Qatar
RE Reunion|RO Romania|RS Serbia|RU Russia|RW Rwanda|SA Saudi Arabia|SB Solomon Islands
SC Seychelles|SD Sudan|SE Sweden|SG Singapore|SH Saint Helena|SI Slovenia|SJ Svalbard and Jan Mayen
SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan
ST Sao Tome and Principe|SV El Salvador|SX Sint Maarten|SY Syria|SZ Eswatini
TA Tristan da Cunha|TC Turks and Caicos Islands|TD Chad|TF French Southern Territories|TG Togo
TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste|TM Turkmenistan|TN Tunisia|TO Tonga
TR Turkiye|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania|UA Ukraine|UG Uganda
UM United States Minor Outlying Islands|US United States|UY Uruguay|UZ Uzbekistan
VA Vatican City|VC Saint Vincent and the Grenadines|VE Venezuela|VG British Virgin Islands
VI United States Virgin Islands|VN Vietnam|VU Vanuatu|WF Wallis and Futuna|WS Samoa|XK Kosovo
YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|ZW Zimbabwe
"""

COUNTRY_NAMES: dict[str, str] = {
    entry[:2]: entry[3:].upper()
    for entry in _COUNTRY_TABLE.replace("\n", "|").split("|")
    if entry.strip()
}

# Codes people type that are not ISO codes.
_ALIASES = {"UK": "GB", "USA": "US", "EL": "GR"}

# City REGION POSTCODE on one line.
_REGION_LINE = {"US", "CA", "AU"}
# POSTCODE City, and the region (state, canton, province) is not part of the address.
_POSTCODE_FIRST = {"AT", "BE", "CH", "CZ", "DE", "DK", "FI", "FR", "LI", "LU", "NL", "NO", "PL"}
_POSTCODE_FIRST |= {"SE", "SK"}


def country_code(value: str) -> str:
    """The normalised code: stripped, upper case, common aliases (UK, USA) resolved."""
    code = " ".join(value.split()).upper()
    return _ALIASES.get(code, code)


def country_name(code: str) -> str:
    """The English country name in capitals for the last line of international mail; an unknown
    value is printed as given, in capitals."""
    code = country_code(code)
    return COUNTRY_NAMES.get(code, code)


def _clean(value: str) -> str:
    return " ".join(value.split())


def _street_lines(street: str) -> list[str]:
    return [line for line in (_clean(part) for part in street.splitlines()) if line]


def _joined(*parts: str, sep: str = " ") -> str:
    return sep.join(part for part in parts if part)


def _uk_postcode(postal_code: str) -> str:
    """``sw1a1aa`` -> ``SW1A 1AA``: the inward code is always the last three characters."""
    compact = postal_code.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if 5 <= len(compact) <= 7 else postal_code.upper()


def _ca_postcode(postal_code: str) -> str:
    compact = postal_code.replace(" ", "").upper()
    return f"{compact[:3]} {compact[3:]}" if len(compact) == 6 else postal_code.upper()


def _locality(code: str, city: str, region: str, postal_code: str) -> list[str]:
    """The lines after the street for the destination country ``code``."""
    if code == "US":
        return [_joined(city, region.upper(), postal_code)]
    if code == "CA":
        return [_joined(_joined(city, region.upper()), _ca_postcode(postal_code), sep="  ")]
    if code == "AU":
        return [_joined(city.upper(), region.upper(), postal_code)]
    if code == "GB":
        return [city.upper(), _uk_postcode(postal_code)]
    if code == "IE":
        return [city, region, postal_code.upper()]
    if code == "FR":
        return [_joined(postal_code, city.upper())]
    if code in _POSTCODE_FIRST:
        return [_joined(postal_code, city)]
    return [_joined(postal_code, city), region]


def format_address(
    name: str,
    street: str,
    city: str,
    region: str,
    postal_code: str,
    country: str,
    *,
    home_country: str,
) -> list[str]:
    """Lines for an envelope or label, per the destination country's postal convention.

    ``street`` may hold several lines. Empty parts are skipped (no blank lines), so
    ``format_address("", ...)`` gives the address without a name line. The country line (English
    name in capitals) is added only when ``country`` differs from ``home_country``; codes are
    case-insensitive and a blank country means ``home_country``. GB, DE, FR and the other
    ``POSTCODE City`` countries of Europe leave the region out, as their postal services ask.
    """
    home = country_code(home_country)
    destination = country_code(country) or home
    locality = _locality(destination, _clean(city), _clean(region), _clean(postal_code))
    lines = [_clean(name), *_street_lines(street), *locality]
    if destination and destination != home:
        lines.append(country_name(destination))
    return [line for line in lines if line]
