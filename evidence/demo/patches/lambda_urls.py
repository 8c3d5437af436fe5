"""Lambda: ListFunctionUrlConfigs, from the function URL moto keeps per function.

moto stores the URL made by CreateFunctionUrlConfig and answers GetFunctionUrlConfig, but has no
route for the listing. A function has at most one URL here (moto ignores the alias qualifier).
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from moto.awslambda import urls
from moto.awslambda.responses import LambdaResponse
from moto.core.common_types import TYPE_RESPONSE

from evidence.demo.patches._hook import install

_ROUTE = r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"


def apply() -> None:
    urls.url_paths.setdefault(_ROUTE, LambdaResponse.dispatch)
    install(LambdaResponse, "list_function_url_configs", _list_function_url_configs)


def _list_function_url_configs(self: LambdaResponse) -> TYPE_RESPONSE:
    name = unquote(self.path.rstrip("/").split("/")[-2])
    function = self.backend.get_function(name)  # ResourceNotFoundException when there is no such function
    configs = [function.url_config.to_dict()] if function.url_config else []
    body = {"FunctionUrlConfigs": [{k: v for k, v in c.items() if v is not None} for c in configs]}
    return 200, {}, json.dumps(body)
