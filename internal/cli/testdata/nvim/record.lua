-- Drives osop lsp with Neovim's built-in LSP client (0.7 and later) and
-- records what the server answers, as JSON, for TestLSP_neovim.
-- Environment: OSOP_BIN (the osop binary), OSOP_FILE (the workflow to
-- open), OSOP_OUT (where the record goes).
local osop, file, out = os.getenv("OSOP_BIN"), os.getenv("OSOP_FILE"), os.getenv("OSOP_OUT")
local record = { published = {} }

local function finish(err)
  if err then record.error = err end
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(record))
  f:close()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = "osop",
    cmd = { osop, "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
    handlers = {
      ["textDocument/publishDiagnostics"] = function(_, result)
        table.insert(record.published, result)
      end,
    },
  })
  assert(id, "the client did not start")
  vim.lsp.buf_attach_client(buf, id)
  assert(vim.wait(10000, function() return #record.published > 0 end, 10), "no diagnostics after open")
  record.opened = record.published[#record.published]

  -- Find a line by its text (0-based) for the requests below.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local function find(text)
    for i, l in ipairs(lines) do
      local c = l:find(text, 1, true)
      if c then return i - 1, c - 1 end
    end
    error("not in the file: " .. text)
  end
  local uri = vim.uri_from_bufnr(buf)
  local function request(method, params)
    local res, e = vim.lsp.buf_request_sync(buf, method, params, 10000)
    assert(res, "no answer to " .. method .. ": " .. tostring(e))
    for _, r in pairs(res) do
      assert(not r.err, method .. ": " .. vim.inspect(r.err))
      return r.result
    end
  end

  local tl, tc = find("type: dokcer")
  record.completion = request("textDocument/completion",
    { textDocument = { uri = uri }, position = { line = tl, character = tc + 6 } })
  local hl, hc = find("from: build")
  record.hover = request("textDocument/hover",
    { textDocument = { uri = uri }, position = { line = hl, character = hc + 7 } })

  -- Type the fix the way a user would; Neovim sends an incremental change.
  local before = #record.published
  vim.api.nvim_buf_set_text(buf, tl, tc + 6, tl, tc + 12, { "docker" })
  assert(vim.wait(10000, function() return #record.published > before end, 10), "no diagnostics after the edit")
  record.edited = record.published[#record.published]

  vim.lsp.stop_client(id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 10)
end)
finish(not ok and tostring(err) or nil)
