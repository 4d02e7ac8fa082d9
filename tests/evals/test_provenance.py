import subprocess

from evals.provenance import code_version


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_a_fit_names_its_commit_and_says_when_tracked_files_differ(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "model.py").write_text("a = 1\n")
    _git(tmp_path, "add", "model.py")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "first")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / "notes.txt").write_text("untracked files do not count\n")
    assert code_version(tmp_path) == head
    (tmp_path / "model.py").write_text("a = 2\n")
    assert code_version(tmp_path) == f"{head}+uncommitted"


def test_outside_a_checkout_there_is_no_commit_to_name(tmp_path):
    assert code_version(tmp_path) is None
