"""`kb users`: users, roles and API tokens, for admins."""

from typing import Optional

import typer

from cli.common import open_kb

users_app = typer.Typer(no_args_is_help=True, help="Users, roles and API tokens, for admins.")


@users_app.command("add")
def users_add(ctx: typer.Context, name: str, role: str = typer.Option(..., "--role", help="agent, editor, evaluator or admin"),
              password: Optional[str] = typer.Option(None, "--password", help="For signing in to the pages "
                                                     "(prompted when --ask-password)."),
              ask_password: bool = typer.Option(False, "--ask-password"),
              ):
    """Add a user; prints their API token once, as the last word."""
    if ask_password:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    token = open_kb(ctx).users.add(name, role, password)
    typer.echo(f"added {name} ({role}); API token, shown once: {token}")


@users_app.command("list")
def users_list(ctx: typer.Context):
    for user in open_kb(ctx).users.list():
        typer.echo(f"{user['name']:<24} {user['role']:<10} {user['created_at']:%Y-%m-%d}"
                   f"{'  disabled' if user['disabled'] else ''}")


@users_app.command("token")
def users_token(ctx: typer.Context, name: str):
    """Replace a user's API token (the old one stops working); prints the new one as the last word."""
    token = open_kb(ctx).users.new_token(name)
    typer.echo(f"new API token for {name}, shown once: {token}")


def _user_change(ctx: typer.Context, done: str, change) -> None:
    change(open_kb(ctx).users)
    typer.echo(done)


@users_app.command("disable")
def users_disable(ctx: typer.Context, name: str):
    """Off-board a user: their token, password and sign-ins stop working at once."""
    _user_change(ctx, f"{name} disabled", lambda users: users.disable(name))


@users_app.command("enable")
def users_enable(ctx: typer.Context, name: str):
    _user_change(ctx, f"{name} enabled", lambda users: users.enable(name))


@users_app.command("role")
def users_role(ctx: typer.Context, name: str, role: str = typer.Option(..., "--role", help="agent, editor, evaluator or admin"),
               ):
    _user_change(ctx, f"{name} is now {role}", lambda users: users.set_role(name, role))


@users_app.command("password")
def users_password(ctx: typer.Context, name: str, password: Optional[str] = typer.Option(None, "--password"),
                   ask_password: bool = typer.Option(False, "--ask-password"),
                   ):
    """Set a user's password; their sign-ins end."""
    if ask_password or password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    _user_change(ctx, f"password of {name} set", lambda users: users.set_password(name, password))


@users_app.command("remove")
def users_remove(ctx: typer.Context, name: str):
    _user_change(ctx, f"{name} removed", lambda users: users.remove(name))
