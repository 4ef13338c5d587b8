"""Accept All and Reject All in LibreOffice itself, for test_tracked_export (optional: needs LibreOffice).

Run by the system Python that has LibreOffice's UNO bridge (python3-uno), not by the test venv:

    /usr/bin/python3 concepts/tests/libreoffice_revisions.py FILE.docx PROFILE_DIR

prints {"accept": [...], "reject": [...]}: the body's paragraphs after each, as JSON.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time

import uno  # noqa: F401 - LibreOffice's bridge: only the system Python has it
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def _property(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def _connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _attempt in range(240):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.5)
    raise SystemExit("LibreOffice did not start.")


def _paragraphs(context, desktop, path, command):
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (_property("Hidden", True),))
    dispatcher = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
    dispatcher.executeDispatch(document.getCurrentController().getFrame(), command, "", 0, ())
    paragraphs = []
    elements = document.getText().createEnumeration()
    while elements.hasMoreElements():
        element = elements.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            paragraphs.append(element.getString())
    document.close(True)
    return paragraphs


def main(path, profile):
    pipe = f"mpf_revisions_{os.getpid()}"
    office = subprocess.Popen(  # noqa: S603 - our own command line
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ],
    )
    try:
        context = _connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        result = {
            "accept": _paragraphs(context, desktop, path, ".uno:AcceptAllTrackedChanges"),
            "reject": _paragraphs(context, desktop, path, ".uno:RejectAllTrackedChanges"),
        }
        with contextlib.suppress(Exception):  # the bridge drops as LibreOffice quits
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
