# Faraday with the net_http adapter (as Plaid, ruby-openai and Sure's market-data providers use it). Faraday picks the
# proxy per request from the URL's scheme: https_proxy/HTTPS_PROXY for https, honouring no_proxy (URI#find_proxy).
# Its cert store is OpenSSL::X509::Store#set_default_paths, which reads SSL_CERT_FILE.
require "faraday"
require_relative "common"

PipelockClient.run do |spec|
  url = spec["url"]
  conn = Faraday.new(request: { open_timeout: 10, timeout: (spec["read_timeout"] || 30).to_i }) do |f|
    f.adapter :net_http
  end
  res = conn.run_request(spec.fetch("method", "GET").downcase.to_sym, url, spec["body"], spec["headers"] || {})
  proxy = conn.send(:proxy_for_request, url)
  PipelockClient.emit(status: res.status, headers: res.headers.to_h, body: res.body,
                      proxy: proxy && "#{proxy.uri.host}:#{proxy.uri.port}")
end
