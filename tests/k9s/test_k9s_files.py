"""k9s's aliases, hotkeys and plugins files, written the way k9s's README shows them, read
from where k9s looks for them."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from kubetui.k9s.aliases import CommandLine
from kubetui.k9s.keys import k9s_key
from kubetui.k9s.locations import locate
from kubetui.k9s.setup import load_k9s_setup
from kubetui.k9s.variables import substitute


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_locations_follow_k9s(tmp_path: Path) -> None:
    home = tmp_path
    linux = locate({"XDG_CONFIG_HOME": "/x/conf", "XDG_DATA_HOME": "/x/data"}, "linux", home)
    assert linux.aliases_file == Path("/x/conf/k9s/aliases.yaml")
    assert linux.plugin_dirs == (Path("/usr/local/share/k9s/plugins"),
                                 Path("/usr/share/k9s/plugins"),
                                 Path("/x/data/k9s/plugins"), Path("/x/conf/k9s/plugins"))
    assert locate({}, "linux", home).config_dir == home / ".config" / "k9s"
    assert locate({}, "darwin", home).hotkeys_file == \
        home / "Library" / "Application Support" / "k9s" / "hotkeys.yaml"
    assert locate({"LOCALAPPDATA": "C:/Users/me/AppData/Local"}, "win32", home) \
        .plugins_file == Path("C:/Users/me/AppData/Local/k9s/plugins.yaml")
    explicit = locate({"K9S_CONFIG_DIR": "/k9s-here", "XDG_CONFIG_HOME": "/x"}, "linux", home)
    assert explicit.aliases_file == Path("/k9s-here/aliases.yaml")


def test_readme_aliases_resolve_as_k9s_reads_them(isolated_home: Path) -> None:
    _write(isolated_home / ".config" / "k9s" / "aliases.yaml", """\
        #  $XDG_DATA_HOME/k9s/aliases.yaml
        aliases:
          pp: v1/pods
          crb: rbac.authorization.k8s.io/v1/clusterrolebindings
          # As of v0.30.0 you can also refer to another command alias...
          fred: pod fred app=blee # => view pods in namespace fred with labels matching app=blee
          fredweb: fred /web
          loop1: loop2
          loop2: loop1
        """)
    setup = load_k9s_setup()
    assert setup.problems == ()
    expand = setup.aliases.expand
    assert expand("pp") == (CommandLine("pods"), None)
    assert expand(":crb") == (CommandLine("clusterrolebindings.rbac.authorization.k8s.io"),
                              None)
    assert expand("fred") == (CommandLine("pod", namespace="fred", labels="app=blee"), None)
    # Words typed after an alias win over the alias's own; aliases chain.
    assert expand("fred other") == (CommandLine("pod", namespace="other",
                                                labels="app=blee"), None)
    assert expand("fredweb @prod") == (CommandLine("pod", namespace="fred", labels="app=blee",
                                                   filter="web", context="prod"), None)
    assert expand("deploy kube-system") == (CommandLine("deploy", namespace="kube-system"),
                                            None)
    line, error = expand("loop1")
    assert line is None and error is not None and "loop1 -> loop2 -> loop1" in error


def test_readme_hotkeys(isolated_home: Path) -> None:
    _write(isolated_home / ".config" / "k9s" / "hotkeys.yaml", """\
        #  $XDG_CONFIG_HOME/k9s/hotkeys.yaml
        hotKeys:
          # Hitting Shift-0 navigates to your pod view
          shift-0:
            shortCut:    Shift-0
            description: Viewing pods
            command:     pods
          # Hitting Shift-1 navigates to your deployments
          shift-1:
            shortCut:    Shift-1
            description: View deployments
            command:     dp
          shift-s:
            shortCut:    Shift-S
            override:    true
            description: Namespaced resources
            command:     "$RESOURCE_NAME $NAMESPACE"
            keepHistory: true
        """)
    setup = load_k9s_setup()
    assert setup.problems == ()
    by_name = {h.name: h for h in setup.hotkeys}
    assert (by_name["shift-0"].key, by_name["shift-0"].command) == (")", "pods")
    assert (by_name["shift-1"].key, by_name["shift-1"].description) == ("!", "View deployments")
    assert by_name["shift-s"].key == "S" and by_name["shift-s"].override
    assert by_name["shift-s"].keep_history


@pytest.mark.parametrize(("name", "key"), [
    ("a", "a"), ("Shift-A", "A"), ("Ctrl-L", "ctrl+l"), ("Shift-9", "("), ("F5", "f5"),
    ("Shift-Ctrl-Q", None), ("Alt-X", None), ("", None), ("ab", None)])
def test_k9s_key_names(name: str, key: str | None) -> None:
    assert k9s_key(name) == key


def test_readme_plugins_from_file_and_folders(isolated_home: Path) -> None:
    config = isolated_home / ".config" / "k9s"
    _write(config / "plugins.yaml", """\
        plugins:
          # Defines a plugin to provide a `ctrl-l` shortcut to tail the logs while in pod view.
          fred:
            shortCut: Ctrl-L
            override: false
            overwriteOutput: false
            confirm: false
            dangerous: false
            description: Pod logs
            scopes:
            - pods
            command: kubectl
            background: false
            args:
            - logs
            - -f
            - $NAME
            - -n
            - $NAMESPACE
            - --context
            - $CONTEXT
        """)
    data = isolated_home / ".local" / "share" / "k9s" / "plugins"
    _write(data / "misc-plugins" / "blee.yaml", """\
        fred:
          shortCut: Shift-B
          description: Bozo
          scopes:
          - deploy
          command: bozo

        zorg:
          shortCut: Shift-Z
          description: Pod logs
          scopes:
          - svc
          command: zorg
        """)
    _write(data / "schtuff" / "bozo.yaml", """\
        shortCut: Shift-B
        description: Bozo
        scopes:
        - deploy
        command: bozo
        """)
    setup = load_k9s_setup()
    assert setup.problems == ()
    plugins = {p.name: p for p in setup.plugins}
    assert sorted(plugins) == ["bozo", "fred", "zorg"]
    # The folder's `fred` came after plugins.yaml's, so it wins (k9s's load order).
    assert (plugins["fred"].key, plugins["fred"].command) == ("B", "bozo")
    assert plugins["bozo"].scopes == ("deploy",) and plugins["bozo"].key == "B"
    assert [p.name for p in setup.plugins if p.applies_to(["services", "svc", "service"])] \
        == ["zorg"]


def test_bad_entries_are_named_and_the_rest_is_kept(isolated_home: Path) -> None:
    config = isolated_home / ".config" / "k9s"
    _write(config / "plugins.yaml", """\
        plugins:
          good:
            shortCut: Shift-G
            scopes: [all]
            command: echo
          nokey:
            shortCut: Meta-Q
            scopes: [all]
            command: echo
          typo:
            shortCut: Shift-T
            scopes: [all]
            comand: echo
          prompts:
            shortCut: Shift-P
            scopes: [po]
            command: echo
            inputs: [{name: n, type: colour}]
        """)
    _write(config / "hotkeys.yaml", "hotKeys:\n  nothing:\n    shortCut: Shift-N\n")
    _write(config / "aliases.yaml", "aliases: [not, a, mapping]\n")
    setup = load_k9s_setup()
    assert [p.name for p in setup.plugins] == ["good"]
    messages = [str(p) for p in setup.problems]
    plugins_file = str(config / "plugins.yaml")
    assert any(m.startswith(f"{plugins_file}: 'nokey'") and "Meta-Q" in m for m in messages)
    assert any(m.startswith(f"{plugins_file}: 'typo'") and "comand" in m for m in messages)
    assert any("'prompts'" in m and "input 'n': type 'colour' is not one of string, number, "
               "bool, dropdown" in m for m in messages)
    assert any(f"{config / 'hotkeys.yaml'}: 'nothing'" in m and "command" in m
               for m in messages)
    assert any(f"{config / 'aliases.yaml'}: 'aliases'" in m for m in messages)
    assert len(messages) == 5


def test_broken_yaml_is_one_problem(isolated_home: Path) -> None:
    path = _write(isolated_home / ".config" / "k9s" / "hotkeys.yaml", "hotKeys: [\n")
    setup = load_k9s_setup()
    assert setup.hotkeys == ()
    assert len(setup.problems) == 1 and setup.problems[0].path == path
    assert "not valid YAML" in setup.problems[0].message


def test_kubetui_config_adds_and_overrides(isolated_home: Path, monkeypatch) -> None:
    k9s_dir = isolated_home / "elsewhere"
    monkeypatch.setenv("K9S_CONFIG_DIR", str(k9s_dir))
    _write(k9s_dir / "aliases.yaml", "aliases:\n  pp: v1/pods\n  dd: apps/v1/deployments\n")
    _write(k9s_dir / "hotkeys.yaml",
           "hotKeys:\n  one:\n    shortCut: Shift-1\n    command: pods\n")
    own = {"aliases": {"pp": "v1/services", "cm": "v1/configmaps"},
           "hotKeys": {"one": {"shortCut": "Shift-2", "command": "svc"}},
           "plugins": {"hi": {"shortCut": "Ctrl-H", "scopes": ["all"], "command": "echo"}}}
    setup = load_k9s_setup(own=own, own_path=Path("/conf/kubetui.yaml"))
    assert setup.problems == ()
    assert setup.aliases.expand("pp")[0] == CommandLine("services")
    assert setup.aliases.expand("dd")[0] == CommandLine("deployments.apps")
    assert setup.aliases.expand("cm")[0] == CommandLine("configmaps")
    assert [(h.key, h.command) for h in setup.hotkeys] == [("@", "svc")]
    assert [p.key for p in setup.plugins] == ["ctrl+h"]


def test_variables_substitute_as_k9s_does() -> None:
    env = {"NAME": "web-1", "NAMESPACE": "shop", "COL-%CPU/L": "12", "COL-READY": "1/1",
           "FLAG": "true", "REPLICAS": "1"}
    assert substitute("$NAME", env) == "web-1"
    assert substitute("${NAME}-example", env) == "web-1-example"
    assert substitute("$NAME-example", env) == "$NAME-example"  # one unknown name
    assert substitute("${COL-%CPU/L}", env) == "12"
    assert substitute("$col-ready", env) == "1/1"
    assert substitute("$!FLAG/$FLAG", env) == "false/true"
    assert substitute("$REPLICAS", env) == "1"  # a number is not a boolean
    assert substitute("$NAMESPACE/$NAME $UNKNOWN", env) == "shop/web-1 $UNKNOWN"


@pytest.mark.skipif(sys.platform == "win32", reason="runs /bin/sh")
async def test_a_plugin_runs_a_real_command_with_its_variables(isolated_home: Path) -> None:
    from kubetui.k9s.run import plugin_variables, run_in_background

    _write(isolated_home / ".config" / "k9s" / "plugins.yaml", """\
        plugins:
          show:
            shortCut: Shift-V
            description: Show the variables
            scopes: [po]
            background: true
            command: sh
            args:
              - -c
              - >-
                echo "ns=$NAMESPACE name=$NAME ctx=$CONTEXT cluster=$CLUSTER user=$USER
                kc=$KUBECONFIG co=$CONTAINER groups=$GROUPS ready=${COL-READY}"
        """)
    plugin, = [p for p in load_k9s_setup().plugins if p.applies_to(["po", "pods"])]
    variables = plugin_variables(context="ctx-a", cluster="cl-a", user="me",
                                 kubeconfig="/k/config", namespace="shop", name="web-1",
                                 container="app", columns={"READY": "1/2"})
    out = await run_in_background(plugin.argv(variables), timeout=30)
    assert out.ok, out.output
    assert out.output.split() == ["ns=shop", "name=web-1", "ctx=ctx-a", "cluster=cl-a",
                                  "user=me", "kc=/k/config", "co=app", "groups=n/a",
                                  "ready=1/2"]
    missing = await run_in_background(["/no/such/plugin-binary"], timeout=30)
    assert missing.returncode is None and "cannot run" in missing.output
    failing = await run_in_background(["sh", "-c", "echo oops >&2; exit 3"], timeout=30)
    assert (failing.returncode, failing.output.strip()) == (3, "oops")


def test_kubetui_config_file_carries_k9s_sections(isolated_home: Path) -> None:
    from kubetui.config import load_user_config

    path = _write(isolated_home / ".config" / "kubetui" / "config.yaml", """\
        theme: nord
        plugins:
          hello:
            shortCut: Shift-H
            scopes: [all]
            command: echo
            args: [$NAME]
          broken:
            shortCut: Shift-X
        """)
    config = load_user_config()
    setup = load_k9s_setup(own=config.k9s, own_path=config.path)
    assert [p.name for p in setup.plugins] == ["hello"]
    assert [str(p) for p in setup.problems] == [
        f"{path}: 'broken': needs a command to run"]


def test_plugin_inputs_pipes_and_output_as_k9s_defines_them(isolated_home: Path) -> None:
    """k9s's README example of inputs, pvc-resize.yaml, pipes, overwriteOutput; and what
    k9s's schema and `Plugin.Validate` refuse, named."""
    config = isolated_home / ".config" / "k9s"
    _write(config / "plugins.yaml", """\
        plugins:
          resize-pvc:
            shortCut: r
            description: Resize PVC
            scopes:
              - pvc
            command: kubectl
            confirm: true
            dangerous: true
            args: [patch, pvc, $NAME, -p,
                   '{"spec":{"resources":{"requests":{"storage":"$INPUT_SIZE"}}}}']
            inputs:
              - name: size
                label: New size (e.g. 10Gi)
                type: string
                required: true
          demo-inputs:
            shortCut: Ctrl-Y
            description: Demo all input types
            scopes: [po]
            command: bash
            args: [-c, 'echo $INPUT_MESSAGE $INPUT_COUNT $INPUT_ENABLED $INPUT_ENVIRONMENT']
            inputs:
              - {name: message, label: Enter a message, type: string, required: true,
                 default: hello world}
              - {name: count, type: number, required: true, default: 3}
              - {name: enabled, type: bool, required: false, default: true}
              - {name: environment, type: dropdown, required: true, default: staging,
                 options: [development, staging, production]}
          sorted:
            shortCut: Shift-S
            description: Sorted names
            scopes: [all]
            background: true
            overwriteOutput: true
            command: kubectl
            args: [get, pods, -o, name]
            pipes: ["sort -r", "head -n 3", less]
          badnumber:
            shortCut: Shift-N
            description: A number that is not one
            scopes: [all]
            command: echo
            inputs: [{name: n, type: number, required: true, default: many}]
          twice:
            shortCut: Shift-T
            description: Two inputs of one name
            scopes: [all]
            command: echo
            inputs: [{name: n, type: string}, {name: n, type: bool}]
          offlist:
            shortCut: Shift-O
            description: A default not among the options
            scopes: [all]
            command: echo
            inputs: [{name: e, type: dropdown, required: true, default: prod,
                      options: [dev, staging]}]
        """)
    setup = load_k9s_setup()
    plugins = {p.name: p for p in setup.plugins}
    assert sorted(plugins) == ["demo-inputs", "resize-pvc", "sorted"]
    resize = plugins["resize-pvc"]
    assert resize.confirm and resize.dangerous
    assert [(i.name, i.type, i.required, i.label) for i in resize.inputs] == [
        ("size", "string", True, "New size (e.g. 10Gi)")]
    demo = plugins["demo-inputs"]
    assert demo.confirm  # k9s: confirm defaults to true when there are inputs
    assert [(i.variable, i.default) for i in demo.inputs] == [
        ("INPUT_MESSAGE", "hello world"), ("INPUT_COUNT", "3"), ("INPUT_ENABLED", "true"),
        ("INPUT_ENVIRONMENT", "staging")]
    count, environment = demo.inputs[1], demo.inputs[3]
    assert count.problem("") == "count is required" and count.problem("x1") is not None
    assert count.problem("2.5") is None and environment.problem("qa") is not None
    assert demo.argv({"INPUT_MESSAGE": "hi there", "INPUT_COUNT": "4"})[2] == \
        "echo hi there 4 $INPUT_ENABLED $INPUT_ENVIRONMENT"
    sorted_names = plugins["sorted"]
    assert sorted_names.overwrite_output and not sorted_names.confirm
    assert sorted_names.pipes == (("sort", "-r"), ("head", "-n", "3"))
    assert sorted_names.commands({})[1:] == [["sort", "-r"], ["head", "-n", "3"]]
    plugins_file = config / "plugins.yaml"
    assert sorted(str(p) for p in setup.problems) == sorted([
        f"{plugins_file}: 'sorted': pipe 'less' skipped: k9s runs a pipe only with a "
        "command and arguments",
        f"{plugins_file}: 'badnumber': input 'n': default 'many' is not a valid number",
        f"{plugins_file}: 'twice': duplicate input name 'n'",
        f"{plugins_file}: 'offlist': input 'e': default 'prod' is not a valid dropdown"])


@pytest.mark.skipif(sys.platform == "win32", reason="runs /bin/sh")
async def test_a_plugin_runs_through_its_pipes() -> None:
    from kubetui.k9s.run import run_in_background

    out = await run_in_background(["sh", "-c", "printf 'b\\nc\\na\\n'; echo oops >&2"],
                                  timeout=30, pipes=[["sort", "-r"], ["head", "-n", "2"]])
    assert out.ok and out.output.splitlines() == ["oops", "c", "b"]
    assert out.argv == ("sh", "-c", "printf 'b\\nc\\na\\n'; echo oops >&2", "|", "sort",
                        "-r", "|", "head", "-n", "2")
    failing = await run_in_background(["echo", "x"], timeout=30, pipes=[["sh", "-c", "exit 4"]])
    assert failing.returncode == 4  # the last command's code, as a shell's pipeline
    missing = await run_in_background(["echo", "x"], timeout=30,
                                      pipes=[["/no/such/pipe", "-x"]])
    assert missing.returncode is None and "cannot run '/no/such/pipe'" in missing.output


def test_k9s_per_context_files_are_found_to_be_reported(tmp_path: Path) -> None:
    """k9s's `clusters/<cluster>/<context>/` copies (under the data home, or under
    $K9S_CONFIG_DIR when set), names sanitised as k9s does: kubetui names them unread."""
    data = tmp_path / "data"
    where = locate({"XDG_DATA_HOME": str(data), "XDG_CONFIG_HOME": str(tmp_path / "c")},
                   "linux", tmp_path)
    assert where.contexts_dir == data / "k9s" / "clusters"
    folder = data / "k9s" / "clusters" / "arn-aws-eks-eu-1-cluster-prod" / "admin@prod"
    _write(folder / "plugins.yaml", "plugins: {}\n")
    _write(folder / "aliases.yaml", "aliases: {}\n")
    assert where.context_files("arn:aws:eks:eu-1:cluster/prod", "admin@prod") == [
        folder / "aliases.yaml", folder / "plugins.yaml"]
    assert where.context_files("other", "admin@prod") == []
    explicit = locate({"K9S_CONFIG_DIR": str(tmp_path / "k9s-here")}, "linux", tmp_path)
    assert explicit.contexts_dir == tmp_path / "k9s-here" / "clusters"
    setup = load_k9s_setup(where)
    [aliases, plugins] = setup.unread_context_files("arn:aws:eks:eu-1:cluster/prod",
                                                    "admin@prod")
    assert plugins.path == folder / "plugins.yaml"
    assert str(plugins) == (f"{folder / 'plugins.yaml'}: k9s's file for context 'admin@prod' "
                            f"is not read by kubetui; put its entries in "
                            f"{tmp_path / 'c' / 'k9s' / 'plugins.yaml'} or kubetui's config "
                            "file")
