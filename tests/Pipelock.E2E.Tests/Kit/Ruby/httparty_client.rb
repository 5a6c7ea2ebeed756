# HTTParty as Sure's bank providers use it: Net::HTTP.new(host, port) underneath, so the same proxy rule as plain
# Net::HTTP (http_proxy/HTTP_PROXY only, also for https) and a lazily built default store (SSL_CERT_FILE).
require "httparty"
require_relative "common"

PipelockClient.run do |spec|
  opts = { headers: spec["headers"] || {}, format: :plain, open_timeout: 10, read_timeout: (spec["read_timeout"] || 30).to_i }
  opts[:body] = spec["body"] if spec["body"]
  res = HTTParty.public_send(spec.fetch("method", "GET").downcase.to_sym, spec["url"], opts)
  # HTTParty does not expose its Net::HTTP; this is the lookup Net::HTTP#proxy_uri performs for it.
  uri = URI(spec["url"])
  proxy = URI::HTTP.new("http", nil, uri.host, uri.port, nil, nil, nil, nil, nil).find_proxy
  PipelockClient.emit(status: res.code, headers: res.headers.to_h, body: res.body,
                      proxy: proxy && "#{proxy.host}:#{proxy.port}")
end
