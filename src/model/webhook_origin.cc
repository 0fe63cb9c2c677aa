#include "model/webhook_origin.h"

#include <boost/url/parse.hpp>
#include <cctype>

#include "model/error_codes.h"

namespace switchboard::model {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view default_port(std::string_view scheme) {
  if (scheme == "https" || scheme == "wss") return "443";
  if (scheme == "http" || scheme == "ws") return "80";
  return "";
}

}  // namespace

std::optional<std::string> url_origin(std::string_view url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->encoded_host().empty()) return std::nullopt;
  const std::string scheme = lower(parsed->scheme());
  // The decoded host, so that "%65xample.com" and "example.com" are one origin.
  const std::string host = lower(parsed->host());
  std::string port = parsed->has_port() && !parsed->port().empty() ? std::string(parsed->port())
                                                                   : std::string(default_port(scheme));
  // "0443" and "443" are the same port.
  const std::size_t first_digit = port.find_first_not_of('0');
  port = first_digit == std::string::npos ? (port.empty() ? "" : "0") : port.substr(first_digit);
  return scheme + "://" + host + ":" + port;
}

bool same_origin(std::string_view a, std::string_view b) {
  const std::optional<std::string> origin_a = url_origin(a);
  const std::optional<std::string> origin_b = url_origin(b);
  return origin_a && origin_b && *origin_a == *origin_b;
}

std::vector<FieldError> kept_credentials_for_new_origin(std::string_view current_url,
                                                        std::string_view new_url,
                                                        const std::vector<std::string>& kept_credentials) {
  std::vector<FieldError> errors;
  if (same_origin(current_url, new_url)) return errors;
  for (const std::string& path : kept_credentials) {
    errors.push_back(FieldError{path, error_codes::kCredentialsRequired,
                                "The URL moves to another origin: enter this value again, or remove "
                                "it, "
                                "so that a credential is never sent to a new receiver unknowingly."});
  }
  return errors;
}

std::vector<FieldError> credentials_for_new_origin(std::string_view current_url, bool has_signing_secret,
                                                   const WebhookInput& patch) {
  std::vector<FieldError> errors =
      kept_credentials_for_new_origin(current_url, patch.spec.url, patch.kept_credentials);
  if (same_origin(current_url, patch.spec.url)) return errors;
  if (has_signing_secret && !patch.secret.decided) {
    errors.push_back(FieldError{"secret", error_codes::kSecretDecisionRequired,
                                "The URL moves to another origin: say what becomes of the "
                                "signing secret: \"generate\" (or a new "
                                "whsec_ value) to rotate it, \"keep\" to keep it, or null "
                                "to stop signing."});
  }
  return errors;
}

}  // namespace switchboard::model
