"""``scanpipe serve``: the web app for officers and admins (docs/web.md)."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
@click.option(
    "--insecure-cookies",
    is_flag=True,
    envvar="SCANPIPE_WEB_INSECURE_COOKIES",
    help="Send cookies over plain http. Only for tests and demos on localhost; "
    "behind HTTPS never use it.",
)
@click.option(
    "--forwarded-allow-ips",
    default="",
    envvar="SCANPIPE_FORWARDED_ALLOW_IPS",
    help="Addresses of the reverse proxy whose X-Forwarded-For is trusted (comma-separated). "
    "Off by default: a forged header must not move the sign-in limits or the audit's "
    "addresses (docs/web.md, reverse proxy).",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, insecure_cookies: bool, forwarded_allow_ips: str
) -> None:
    """Start the web app: search, files, notes, movements, review, dashboard / वेब ऐप."""
    import uvicorn

    from scanpipe.web import WebConfig, create_app
    from scanpipe.web.config import load_secret

    settings = ctx.find_root().obj["settings"]
    web = WebConfig(secret_key=load_secret(settings.home), secure_cookies=not insecure_cookies)
    if insecure_cookies and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            "warning: --insecure-cookies on a non-local address sends sessions in clear text",
            err=True,
        )
    trusted = forwarded_allow_ips.strip()
    uvicorn.run(
        create_app(settings, web),
        host=host,
        port=port,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


@click.group(name="token")
def token_group() -> None:
    """API tokens for /api/v1 (docs/web.md): made, listed and revoked here."""


@token_group.command(name="create")
@click.argument("login")
@click.option("--name", default="token", show_default=True, help="What the token is for.")
@click.pass_context
def token_create(ctx: click.Context, login: str, name: str) -> None:
    """Make a token for LOGIN; it is shown once and kept only as a hash."""
    from scanpipe.commands._shared import open_routing

    with open_routing(ctx) as r:
        info, token = r.create_token(login, name)
    click.echo(f"Token {info.id} for {info.login} ({info.name}); keep it safe, it is shown once:")
    click.echo(token)


@token_group.command(name="list")
@click.option("--user", "login", help="One user's tokens.")
@click.pass_context
def token_list(ctx: click.Context, login: str | None) -> None:
    """Every token: id, user, name, made, revoked."""
    from scanpipe.commands._shared import open_routing

    with open_routing(ctx) as r:
        for t in r.list_tokens(login):
            revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            click.echo(f"{t.id}\t{t.login}\t{t.name}\t{t.created_at:%Y-%m-%d %H:%M}\t{revoked}")


@token_group.command(name="revoke")
@click.argument("token_id", type=click.IntRange(1))
@click.pass_context
def token_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke a token at once, on every server process."""
    from scanpipe.commands._shared import open_routing

    with open_routing(ctx) as r:
        info = r.revoke_token(token_id)
    click.echo(f"Token {info.id} of {info.login} is revoked.")


COMMANDS = [serve, token_group]
