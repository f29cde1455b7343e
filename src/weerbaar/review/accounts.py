"""Accounts for a shared review server: who may log in, with which role, and their browser sessions.

A review server bound beyond this computer needs accounts (``weerbaar gebruiker toevoegen``);
on loopback without accounts the app works as before, with the reviewer's name chosen in the
browser. Passwords are stored only as Argon2id hashes (argon2-cffi, with its recommended
parameters; an old hash is upgraded at the next login). A session cookie is a random token of
which only the SHA-256 is stored, so a copy of the workspace gives no way into a running server.

Roles: a *beoordelaar* reviews; a *coordinator* also settles conflicts, changes the team settings
and imports or exports decisions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from weerbaar.errors import WeerbaarError
from weerbaar.workspace import Workspace
from weerbaar.workspace.accounts import NameTaken
from weerbaar.workspace.db import timestamp

COORDINATOR = "coordinator"
REVIEWER = "beoordelaar"
ROLES = (COORDINATOR, REVIEWER)
MIN_PASSWORD = 10
MAX_NAME = 80
SESSION_DAYS = 14

_hasher = PasswordHasher()
# Checked against for unknown names too, so that a login takes as long whether the name exists or not.
_DUMMY_HASH = _hasher.hash("weerbaar-geen-account")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created_at: str = ""

    @property
    def coordinator(self) -> bool:
        return self.role == COORDINATOR


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise WeerbaarError("Geef een naam voor het account.")
    if len(name) > MAX_NAME:
        raise WeerbaarError(f"Een naam is hoogstens {MAX_NAME} tekens lang.")
    return name


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise WeerbaarError(f"Een wachtwoord heeft minstens {MIN_PASSWORD} tekens.",
                            hint="Kies een zin van een paar woorden; die is lang en toch te onthouden.")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise WeerbaarError(f"Rol '{role}' bestaat niet; kies {' of '.join(ROLES)}.")


def has_accounts(ws: Workspace) -> bool:
    return ws.accounts.any()


def list_accounts(ws: Workspace) -> list[Account]:
    return [Account(r.name, r.role, r.created_at) for r in ws.accounts.all()]


def get_account(ws: Workspace, name: str) -> Account | None:
    row = ws.accounts.get(name)
    return Account(row.name, row.role, row.created_at) if row else None


def add_account(ws: Workspace, name: str, password: str, role: str = REVIEWER) -> Account:
    name = _clean_name(name)
    _check_role(role)
    _check_password(password)
    try:
        ws.accounts.add(name, role, _hasher.hash(password), timestamp())
    except NameTaken:
        raise WeerbaarError(f"Er is al een account '{name}'.",
                            hint="Een nieuw wachtwoord zet u met 'weerbaar gebruiker wachtwoord NAAM'.") from None
    return Account(name, role)


def _existing(ws: Workspace, name: str) -> Account:
    account = get_account(ws, name)
    if account is None:
        raise WeerbaarError(f"Er is geen account '{name}'.", hint="'weerbaar gebruiker lijst' toont de accounts.")
    return account


def set_password(ws: Workspace, name: str, password: str) -> None:
    """A new password; every open session of the account ends."""
    account = _existing(ws, name)
    _check_password(password)
    ws.accounts.set_password_hash(account.name, _hasher.hash(password), end_sessions=True)


def set_role(ws: Workspace, name: str, role: str) -> None:
    account = _existing(ws, name)
    _check_role(role)
    ws.accounts.set_role(account.name, role)


def remove_account(ws: Workspace, name: str) -> None:
    """The account and its sessions go; its decisions stay (they carry the name)."""
    account = _existing(ws, name)
    ws.accounts.remove(account.name)


def authenticate(ws: Workspace, name: str, password: str) -> Account | None:
    """The account when name and password match, else None (as slow for an unknown name)."""
    row = ws.accounts.get(" ".join((name or "").split()))
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        ws.accounts.set_password_hash(row.name, _hasher.hash(password), end_sessions=False)
    return Account(row.name, row.role)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(ws: Workspace, account: Account) -> str:
    """A new random session token for this account (the cookie value); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    ws.accounts.start_session(_token_hash(token), account.name, now.isoformat(timespec="seconds"),
                              (now + dt.timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds"))
    return token


def session_account(ws: Workspace, token: str | None) -> Account | None:
    if not token:
        return None
    found = ws.accounts.session_account(_token_hash(token), timestamp())
    return Account(*found) if found else None


def end_session(ws: Workspace, token: str | None) -> None:
    if token:
        ws.accounts.end_session(_token_hash(token))
