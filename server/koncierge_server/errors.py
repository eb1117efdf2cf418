"""The LSP error answers the features give, besides pygls's own JSON-RPC ones.

An expected refusal (a rename to a keyword, a request for an environment the file does not have)
is one of these or a `JsonRpcInvalidParams`: it answers the request with its code and message and
is never logged as a failure.
"""

from __future__ import annotations

from pygls.exceptions import JsonRpcException


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was valid but cannot be answered for this file."""

    CODE = -32803
    MESSAGE = "Request failed"


class ContentModified(JsonRpcException):
    """LSP's ContentModified: the document changed while the answer, an edit, was being made."""

    CODE = -32801
    MESSAGE = "Content modified"
