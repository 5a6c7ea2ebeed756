# Plain Net::HTTP the way Sure's own clients build it: Net::HTTP.new(host, port), i.e. proxy :ENV. Net::HTTP reads
# http_proxy/HTTP_PROXY even for https URLs and never HTTPS_PROXY; it skips the proxy for hosts resolving to 127.x/::1.
# Trust comes from OpenSSL's default store, built at require time from SSL_CERT_FILE.
require "net/http"
require "uri"
require_relative "common"

PipelockClient.run do |spec|
  uri = URI(spec["url"])
  http = Net::HTTP.new(uri.host, uri.port)
  http.use_ssl = uri.scheme == "https"
  http.open_timeout = 10
  http.read_timeout = (spec["read_timeout"] || 30).to_i
  klass = Net::HTTP.const_get(spec.fetch("method", "GET").capitalize)
  req = klass.new(uri.request_uri)
  (spec["headers"] || {}).each { |k, v| req[k] = v }
  req.body = spec["body"] if spec["body"]
  res = http.request(req)
  PipelockClient.emit(status: res.code.to_i, headers: res.to_hash, body: res.body,
                      proxy: http.proxy? ? "#{http.proxy_address}:#{http.proxy_port}" : nil)
end
