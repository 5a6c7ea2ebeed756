# Shared by the client scripts: read the request spec (JSON on stdin), print one result line.
# Output: a single line "PIPELOCK-RESULT <json>" with status, headers, body (UTF-8, scrubbed), body_sha256, proxy
# (what the client decided to use), or error ("Class: message"). Exit 0 on any HTTP answer, 2 on an exception.
require "json"
require "digest"

module PipelockClient
  def self.spec
    @spec ||= JSON.parse($stdin.read)
  end

  def self.emit(status:, headers:, body:, proxy:)
    body = body.to_s.b
    puts "PIPELOCK-RESULT " + JSON.generate(
      status: status, headers: headers, proxy: proxy,
      body: body.dup.force_encoding("UTF-8").scrub, body_length: body.bytesize,
      body_sha256: Digest::SHA256.hexdigest(body))
  end

  def self.run
    yield spec
    exit 0
  rescue StandardError => e
    puts "PIPELOCK-RESULT " + JSON.generate(error: "#{e.class}: #{e.message}")
    $stdout.flush
    exit 2
  end
end
