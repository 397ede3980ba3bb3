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
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, insecure_cookies: bool) -> None:
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
    uvicorn.run(create_app(settings, web), host=host, port=port, proxy_headers=True)


COMMANDS = [serve]
