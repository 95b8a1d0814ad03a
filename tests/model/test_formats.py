import pytest

from tenancy.model import formats


@pytest.mark.parametrize("name", ["abc", "genomics-artifacts", "a.b-c", "x" * 63, "123bucket"])
def test_valid_bucket_names(name):
    assert formats.s3_bucket_problem(name) is None


@pytest.mark.parametrize(
    "name, reason",
    [
        ("ab", "3 to 63"),
        ("x" * 64, "3 to 63"),
        ("Genomics_Artifacts", "lowercase letters"),
        ("-abc", "lowercase letters"),
        ("a..b", "'..'"),
        ("a.-b", "'..'"),
        ("192.168.1.10", "IP address"),
        ("xn--bucket", "reserved"),
        ("bucket-s3alias", "reserved"),
    ],
)
def test_invalid_bucket_names(name, reason):
    assert reason in formats.s3_bucket_problem(name)


@pytest.mark.parametrize("branch", ["main", "develop", "feature/x-1", "release/2.0"])
def test_valid_branches(branch):
    assert formats.branch_problem(branch) is None


@pytest.mark.parametrize("branch", ["", "a..b", "-x", "x/", "/x", "a//b", "a b", "a~1", "x.lock", "x.", "@", "a@{b", "refs/heads/main", ".hidden"])
def test_invalid_branches(branch):
    assert formats.branch_problem(branch) is not None


@pytest.mark.parametrize("email", ["a@b.org", "first.last+tag@sub.example.com"])
def test_valid_emails(email):
    assert formats.email_problem(email) is None


@pytest.mark.parametrize("email", ["notanemail", "a@b", "a b@c.org", "@c.org"])
def test_invalid_emails(email):
    assert formats.email_problem(email) is not None


@pytest.mark.parametrize("region", ["us-west-2", "eu-central-1", "ap-southeast-3", "us-gov-west-1"])
def test_valid_regions(region):
    assert formats.aws_region_problem(region) is None


@pytest.mark.parametrize("region", ["uswest2", "US-WEST-2", "us-west", "mars"])
def test_invalid_regions(region):
    assert formats.aws_region_problem(region) is not None


@pytest.mark.parametrize(
    "url, parts",
    [
        ("https://github.com/myorg/genomics-pipeline.git", ("myorg", "genomics-pipeline")),
        ("https://github.com/My-Org/Repo_1.x.git", ("My-Org", "Repo_1.x")),
    ],
)
def test_repo_urls(url, parts):
    assert formats.github_repo_url_parts(url) == parts


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/myorg/repo",
        "http://github.com/myorg/repo.git",
        "https://gitlab.com/myorg/repo.git",
        "git@github.com:myorg/repo.git",
        "https://github.com/-bad/repo.git",
        "https://github.com/a--b/repo.git",
        "https://github.com/myorg/sub/repo.git",
        "https://github.com/myorg/..git",
        # One repository, one spelling: GitHub serves repo.git.git as repo.
        "https://github.com/myorg/repo.git.git",
        "https://github.com/myorg/repo.GIT.git",
    ],
)
def test_invalid_repo_urls(url):
    assert formats.github_repo_url_parts(url) is None


@pytest.mark.parametrize("prefix", ["/abs", "a/../b", "a//b", "{{workflow.name}}/", "a b/"])
def test_invalid_key_prefixes(prefix):
    assert formats.key_prefix_problem(prefix) is not None


def test_relative_paths_refuse_parent_components():
    assert "'..'" in formats.relative_path_problem("argo/../apps", "Vault path")
    assert "relative" in formats.relative_path_problem("/argo/apps", "Vault path")
    assert formats.relative_path_problem("argo/apps/x/s3/artifacts", "Vault path") is None


@pytest.mark.parametrize(
    "given",
    [
        "https://github.com/acme/a.b-c",
        "https://github.com/acme/a.b-c.git",
        "https://github.com/Acme/a.b-c/",
        "git@github.com:acme/a.b-c.git",
        "ssh://git@github.com/acme/a.b-c",
        "https://github.com/acme/a.b-c.git.git",
    ],
)
def test_github_addresses_of_a_repository_become_its_clone_url(given):
    owner = "Acme" if "Acme" in given else "acme"
    assert formats.github_clone_url(given) == f"https://github.com/{owner}/a.b-c.git"


@pytest.mark.parametrize(
    "given",
    [
        "https://gitlab.com/acme/a",
        "https://github.com/acme",
        "https://github.com/acme/a/tree/main",
        "https://user:pw@github.com/acme/a",
        "https://github.com:8443/acme/a",
        "ftp://github.com/acme/a",
        "https://github.com/-acme/a",
        "acme/a",
    ],
)
def test_addresses_that_name_no_repository_have_no_clone_url(given):
    assert formats.github_clone_url(given) is None
