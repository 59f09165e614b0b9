"""The complete function map Helm gives templates: Go builtins, Sprig (minus
``env``/``expandenv``, which Helm removes) and Helm's additions."""

from __future__ import annotations

from .funcs_base import FuncSpec, spec
from .funcs_collections import COLLECTION_FUNCS, slice_list
from .funcs_encoding import ENCODING_FUNCS
from .funcs_go import GO_FUNCS
from .funcs_helm import HELM_FUNCS
from .funcs_math import MATH_FUNCS
from .funcs_misc import MISC_FUNCS
from .funcs_strings import STRING_FUNCS

FUNCS: dict[str, FuncSpec] = {
    **GO_FUNCS, **STRING_FUNCS, **COLLECTION_FUNCS, **MATH_FUNCS, **ENCODING_FUNCS, **MISC_FUNCS, **HELM_FUNCS,
    "slice": spec(slice_list),  # Sprig's slice replaces Go's builtin in Helm
}
