#include "actors/webhooks/webhook_signature.hpp"

#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace cdpd::actors::webhooks {

std::optional<std::string> secret_key(const std::string& secret) {
  constexpr std::string_view prefix = "whsec_";
  if (secret.rfind(prefix, 0) != 0)
    return std::nullopt;
  auto encoded = secret.substr(prefix.size());
  if (encoded.empty() || encoded.size() % 4 != 0)
    return std::nullopt;
  std::vector<unsigned char> out(encoded.size() / 4 * 3);
  int n = EVP_DecodeBlock(
      out.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
      static_cast<int>(encoded.size()));
  if (n < 0)
    return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  auto size = static_cast<std::size_t>(n);
  for (auto it = encoded.rbegin(); it != encoded.rend() && *it == '='; ++it)
    --size;
  return std::string(reinterpret_cast<char*>(out.data()), size);
}

std::string sign_webhook(const std::string& secret, const std::string& id,
                         int64_t timestamp, const std::string& body) {
  auto key = secret_key(secret);
  if (!key)
    return {};
  auto signed_text = id + "." + std::to_string(timestamp) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
           reinterpret_cast<const unsigned char*>(signed_text.data()),
           signed_text.size(), mac, &mac_size) == nullptr)
    return {};
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, mac, static_cast<int>(mac_size));
  return "v1," + std::string(reinterpret_cast<char*>(encoded),
                             static_cast<std::size_t>(n));
}

} // namespace cdpd::actors::webhooks
