"""A second real client: headless Neovim (0.7, Debian's package) opens the To Do example with an
error added and receives the diagnostic from the server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.conftest import REPOSITORY, TODO

INIT_LUA = r"""
vim.api.nvim_create_autocmd({"BufRead", "BufNewFile"}, {pattern = "*.kon", command = "setfiletype koncierge"})
local received = nil
local default_handler = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  if result and #result.diagnostics > 0 then received = result end
  return default_handler(err, result, ctx, config)
end
vim.api.nvim_create_autocmd("FileType", {pattern = "koncierge", callback = function(args)
  local client_id = vim.lsp.start_client({
    name = "koncierge",
    cmd = {PYTHON, "-m", "koncierge_server", "--stdio"},
    root_dir = ROOT,
  })
  vim.lsp.buf_attach_client(args.buf, client_id)
end})
vim.api.nvim_create_autocmd("VimEnter", {callback = function()
  local arrived = vim.wait(20000, function() return received ~= nil end, 50)
  if not arrived then
    io.stdout:write("TIMEOUT\n")
    vim.cmd("cquit 1")
  end
  for _, diagnostic in ipairs(received.diagnostics) do
    io.stdout:write(string.format("%s %d:%d %s\n", diagnostic.code, diagnostic.range.start.line,
      diagnostic.range.start.character, diagnostic.message))
  end
  vim.cmd("qall!")
end})
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed (make system-packages installs it)")
def test_neovim_receives_the_diagnostic(tmp_path: Path) -> None:
    broken = TODO.read_text(encoding="utf-8").replace("env DB_HOST = database.host", "env DB_HOST = databse.host")
    kon = tmp_path / "todo.kon"
    kon.write_text(broken, encoding="utf-8")
    init = tmp_path / "init.lua"
    init.write_text(f"PYTHON = {sys.executable!r}\nROOT = {str(tmp_path)!r}\n" + INIT_LUA, encoding="utf-8")
    completed = subprocess.run(
        ["nvim", "--headless", "--clean", "-u", str(init), str(kon)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPOSITORY,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    line = broken.splitlines().index("    env DB_HOST = databse.host")
    assert f"KON101 {line}:18 `databse` is not declared" in output, output
