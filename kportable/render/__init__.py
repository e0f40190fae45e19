"""Rendered input: what Helm and kustomize deploy, traced back to the files people edit.

- ``helm``: ``# Source:`` origins resolved to template files (``--chart-dir``), and raw Go
  templates detected so they are never linted as YAML (KP030);
- ``charts``: Helm charts named on the command line or found while walking, rendered (values,
  ``--set``, release, ``.tgz`` archives) into a ``helm template`` stream bound to its chart for
  origins; render failures and unvendored dependencies as KP032;
- ``chart_backends``: the renderers behind one ``ChartRenderer`` protocol: ``helm template`` on
  PATH, else helm-python-sdk in process (imported lazily), else a usage error;
- ``kustomize``: kustomization directories built with ``kubectl kustomize`` or ``kustomize``
  (origin annotations on, stripped before rules see the objects), build errors as KP031;
- ``outline``: the key tree of a template that cannot be parsed, to find a key's line in it;
- ``origins``: every finding's ``Location.origin``/``origin_line`` filled in after the rules ran,
  and ``edit_target``, the one place report formats ask where a person fixes a finding;
- ``profiles``: several renders of one chart (``--profile aws=...``, ``--values-profile aws=...``)
  linted and compared.

Nothing here runs unless the input asks for it: plain manifests never pay for it.
"""
