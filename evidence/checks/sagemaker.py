"""Amazon SageMaker checks: notebook instances reach the internet only through a VPC."""

from __future__ import annotations

from collections.abc import Iterator

from evidence.checks import judged, unknown
from evidence.models import Evidence, Finding
from evidence.registry import check


@check("sagemaker.notebook_no_direct_internet", needs="sagemaker.notebook_instances", severity="high")
def notebook_no_direct_internet(notebooks: tuple[Evidence, ...]) -> Iterator[Finding]:
    """Notebook instances run in a VPC subnet with SageMaker's direct internet access turned off."""
    for ev in notebooks:
        for nb in ev.data or []:
            arn = nb["NotebookInstanceArn"]
            if "DescribeNotebookInstance" in nb.get("errors", {}):
                yield unknown(ev, arn, "The notebook instance could not be described "
                                       f"({nb['errors']['DescribeNotebookInstance']}).")
                continue
            problems = ([] if nb.get("DirectInternetAccess") == "Disabled" else ["direct internet access is on"]) + (
                [] if nb.get("SubnetId") else ["it is not in a VPC subnet"])
            yield judged(ev, arn, not problems,
                         f"The notebook runs in subnet {nb.get('SubnetId')} without direct internet access.",
                         f"Notebook {nb.get('NotebookInstanceName')}: {' and '.join(problems)}.")
