"""One GitHub provider per repository owner, shared by that owner's registrations.

Not a ComponentResource: the providers stay children of the stack, where existing stacks have them
(a new parent would be a new URN, and Pulumi would replace every provider and re-read every webhook).
"""

from __future__ import annotations

from typing import Iterable

import pulumi
import pulumi_github as github

from tenancy.model.settings import GithubAppSettings
from tenancy.model.tenant import Tenant


def github_providers(
    tenants: Iterable[Tenant],
    app: GithubAppSettings | None,
    token: pulumi.Input[str] | None,
    app_private_key: pulumi.Input[str] | None,
) -> dict[str, github.Provider]:
    """Owner (lower case: GitHub owner names ignore case) -> its provider.

    With the GitHub App each provider is that owner's installation, because an installation token
    serves one owner only; without it, the personal-token fallback (`token`, or the provider's
    own GITHUB_TOKEN).
    """
    providers: dict[str, github.Provider] = {}
    for tenant in tenants:
        owner_key = tenant.owner.lower()
        if owner_key in providers:
            continue
        if app is None:
            providers[owner_key] = github.Provider(f"github-{owner_key}", owner=tenant.owner, token=token)
            continue
        if tenant.installation_id is None:
            # Validation reports this at the file's line first; kept so the program never guesses.
            raise pulumi.RunError(f"no GitHub App installation is known for owner '{tenant.owner}' ({tenant.source})")
        providers[owner_key] = github.Provider(
            f"github-{owner_key}",
            owner=tenant.owner,
            app_auth=github.ProviderAppAuthArgs(
                id=str(app.app_id), installation_id=str(tenant.installation_id), pem_file=app_private_key
            ),
        )
    return providers
