"""The banner "后台任务进程未运行，请联系管理员" on every page that starts or waits on a job, while no worker beats.

A page that starts jobs is marked with @starts_jobs (the base template shows the banner above its content); a
list's export form and a job's progress show it themselves (jobs/_worker_down.html), since htmx swaps them alone.
The check runs once per request and only where a template asks.
"""

from functools import cache


def starts_jobs(view):
    """Mark a view whose page starts a background job (the banner shows there when no worker runs)."""
    view.starts_jobs = True
    return view


def worker_status(request):
    from bangfu.jobs.health import worker_down

    @cache
    def down() -> bool:
        return worker_down()

    def page_banner() -> bool:
        match = getattr(request, "resolver_match", None)
        return bool(match and getattr(match.func, "starts_jobs", False)) and down()

    return {"worker_down": down, "worker_banner": page_banner}
