"""The Cisco IP Phone XML protocol, pure: objects, encoding, URIs, replies. No I/O."""

from .encode import character_problems, encode, escape, normalise_charset
from .families import CLASSIC, FAMILIES, LEGACY, MODERN, Family, family_for_model
from .objects import CiscoIPPhoneExecute, CiscoIPPhoneText, CiscoObject, ExecuteItem, SoftKeyItem
from .parse import parse_object
from .problems import ObjectError, Problem, errors
from .replies import Outcome, Reply, ResponseItem, decode_reply
from .uris import COMMON_URIS, UriCheck, check_uri
from .validate import validate

__all__ = [
    "CLASSIC",
    "COMMON_URIS",
    "FAMILIES",
    "LEGACY",
    "MODERN",
    "CiscoIPPhoneExecute",
    "CiscoIPPhoneText",
    "CiscoObject",
    "ExecuteItem",
    "Family",
    "ObjectError",
    "Outcome",
    "Problem",
    "Reply",
    "ResponseItem",
    "SoftKeyItem",
    "UriCheck",
    "character_problems",
    "check_uri",
    "decode_reply",
    "encode",
    "errors",
    "escape",
    "family_for_model",
    "normalise_charset",
    "parse_object",
    "validate",
]
