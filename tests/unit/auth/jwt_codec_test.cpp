// Access tokens: issue/verify round trip and every attack the edge must
// refuse, each built by hand from its header, payload and signature.
#include "net/auth/jwt_codec.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <gtest/gtest.h>
#include <jwt/base64.hpp>
#include <nlohmann/json.hpp>

#include "net/auth/errc.hpp"
#include "net/auth/secrets.hpp"

namespace cdpd::net::auth {
namespace {

using namespace std::chrono_literals;

const std::string key = "0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string other_key = "fedcba9876543210fedcba9876543210fedcba98";
const clock::time_point t0 = clock::time_point{1'700'000'000s};

int64_t at(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

std::string hmac(const EVP_MD* md, const std::string& k,
                 const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, k.data(), static_cast<int>(k.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

/// A compact JWS from raw header and payload JSON, signed with `md` and
/// `k` (no signature when md is null).
std::string token(const std::string& header, const std::string& payload,
                  const std::string& k = key, const EVP_MD* md = EVP_sha256()) {
  auto input = base64url(header) + "." + base64url(payload);
  return input + "." + (md ? base64url(hmac(md, k, input)) : "");
}

/// The claims issue() writes, for `now`, with overrides spliced in.
std::string payload_of(clock::time_point now, const std::string& extra = "",
                       const std::string& iss = "cdpd") {
  return R"({"iss":")" + iss + R"(","sub":"acct-1","role":"manager","iat":)" +
         std::to_string(at(now)) + R"(,"exp":)" +
         std::to_string(at(now + 15min)) + R"(,"jti":"j1")" + extra + "}";
}

const std::string hs256_header = R"({"alg":"HS256","typ":"JWT"})";

caf::error refusal(const jwt_codec& codec, const std::string& t,
                   clock::time_point now = t0) {
  auto result = codec.verify(t, now);
  if (result) {
    ADD_FAILURE() << "accepted " << t;
    return {};
  }
  return result.error();
}

class JwtCodec : public ::testing::Test {
protected:
  jwt_codec codec{key, "cdpd"};
};

TEST_F(JwtCodec, IssuedTokenVerifies) {
  auto issued = codec.issue("acct-42", role::admin, 15min, t0);
  ASSERT_TRUE(issued) << describe(issued.error());
  EXPECT_EQ(issued->expires_at, t0 + 15min);
  EXPECT_FALSE(issued->jti.empty());
  auto claims = codec.verify(issued->token, t0 + 1s);
  ASSERT_TRUE(claims) << describe(claims.error());
  EXPECT_EQ(claims->subject, "acct-42");
  EXPECT_EQ(claims->granted, role::admin);
  EXPECT_EQ(claims->jti, issued->jti);
  EXPECT_EQ(claims->issued_at, t0);
  EXPECT_EQ(claims->expires_at, t0 + 15min);
}

TEST_F(JwtCodec, EveryTokenHasItsOwnJti) {
  auto a = codec.issue("s", role::viewer, 1min, t0);
  auto b = codec.issue("s", role::viewer, 1min, t0);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->jti, b->jti);
  EXPECT_NE(a->token, b->token);
}

TEST_F(JwtCodec, HandBuiltTokenWithOurKeyVerifies) {
  // Guards the attack tests below: the same construction with the right
  // algorithm and key is accepted.
  auto claims = codec.verify(token(hs256_header, payload_of(t0)), t0);
  ASSERT_TRUE(claims) << describe(claims.error());
  EXPECT_EQ(claims->granted, role::manager);
}

TEST_F(JwtCodec, BytesOutsideBase64urlAreMalformed) {
  // The JWT library would index its table with them as negative numbers
  // (found by tests/fuzz/access_token_fuzz.cpp).
  auto good = token(hs256_header, payload_of(t0));
  for (std::string bad : {good + "\xff", "\x80" + good, good + "=",
                          good.substr(0, 10) + "+" + good.substr(11)})
    EXPECT_TRUE(refusal(codec, bad) == errc::token_malformed) << bad;
}

TEST_F(JwtCodec, AlgNoneIsRefused) {
  for (auto alg : {"none", "None", "NONE"}) {
    auto header = std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})";
    EXPECT_TRUE(refusal(codec, token(header, payload_of(t0), key, nullptr)) ==
                errc::token_alg_none)
        << alg;
    // With a signature attached too.
    EXPECT_TRUE(refusal(codec, token(header, payload_of(t0))) ==
                errc::token_alg_none)
        << alg;
  }
}

TEST_F(JwtCodec, OtherAlgorithmsAreRefused) {
  EXPECT_TRUE(refusal(codec, token(R"({"alg":"HS512","typ":"JWT"})",
                                   payload_of(t0), key, EVP_sha512())) ==
              errc::token_wrong_algorithm);
  EXPECT_TRUE(refusal(codec, token(R"({"alg":"HS384"})", payload_of(t0), key,
                                   EVP_sha384())) ==
              errc::token_wrong_algorithm);
  // An RS256 header with an HMAC over our key (key-confusion attack).
  EXPECT_TRUE(
      refusal(codec, token(R"({"alg":"RS256","typ":"JWT"})", payload_of(t0))) ==
      errc::token_wrong_algorithm);
  // Algorithm names are case-sensitive.
  EXPECT_TRUE(
      refusal(codec, token(R"({"alg":"hs256","typ":"JWT"})", payload_of(t0))) ==
      errc::token_wrong_algorithm);
}

TEST_F(JwtCodec, WrongKeyIsRefused) {
  EXPECT_TRUE(refusal(codec, token(hs256_header, payload_of(t0), other_key)) ==
              errc::token_bad_signature);
  auto foreign = jwt_codec{other_key, "cdpd"}.issue("s", role::admin, 1h, t0);
  ASSERT_TRUE(foreign);
  EXPECT_TRUE(refusal(codec, foreign->token) == errc::token_bad_signature);
}

TEST_F(JwtCodec, TamperedPayloadIsRefused) {
  auto issued = codec.issue("acct-7", role::viewer, 15min, t0);
  ASSERT_TRUE(issued);
  auto& t = issued->token;
  auto first = t.find('.');
  auto last = t.rfind('.');
  auto forged_payload = base64url(
      R"({"iss":"cdpd","sub":"acct-7","role":"admin","iat":)" +
      std::to_string(at(t0)) + R"(,"exp":)" + std::to_string(at(t0 + 15min)) +
      R"(,"jti":")" + issued->jti + R"("})");
  auto forged = t.substr(0, first + 1) + forged_payload + t.substr(last);
  EXPECT_TRUE(refusal(codec, forged) == errc::token_bad_signature);
  // A flipped signature character, and a missing signature.
  auto flipped = t;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(refusal(codec, flipped) == errc::token_bad_signature);
  EXPECT_TRUE(refusal(codec, t.substr(0, last + 1)) == errc::token_malformed);
}

TEST_F(JwtCodec, ExpiredTokensAreRefused) {
  auto issued = codec.issue("s", role::viewer, 15min, t0);
  ASSERT_TRUE(issued);
  EXPECT_TRUE(codec.verify(issued->token, t0 + 15min - 1s));
  EXPECT_TRUE(refusal(codec, issued->token, t0 + 15min) == errc::token_expired);
  EXPECT_TRUE(refusal(codec, issued->token, t0 + 24h) == errc::token_expired);
}

TEST_F(JwtCodec, TokensFromTheFutureAreRefusedBeyondTheLeeway) {
  auto issued = codec.issue("s", role::viewer, 15min, t0 + clock_leeway);
  ASSERT_TRUE(issued);
  EXPECT_TRUE(codec.verify(issued->token, t0)) << "within the leeway";
  auto later = codec.issue("s", role::viewer, 15min, t0 + clock_leeway + 1s);
  ASSERT_TRUE(later);
  EXPECT_TRUE(refusal(codec, later->token) == errc::token_not_yet_valid);
  auto nbf = R"(,"nbf":)" + std::to_string(at(t0 + 5min));
  EXPECT_TRUE(refusal(codec, token(hs256_header, payload_of(t0, nbf))) ==
              errc::token_not_yet_valid);
  EXPECT_TRUE(
      codec.verify(token(hs256_header, payload_of(t0, nbf)), t0 + 5min));
}

TEST_F(JwtCodec, WrongIssuerIsRefused) {
  auto issued = jwt_codec{key, "someone-else"}.issue("s", role::admin, 1h, t0);
  ASSERT_TRUE(issued);
  EXPECT_TRUE(refusal(codec, issued->token) == errc::token_wrong_issuer);
  EXPECT_TRUE(
      refusal(codec, token(hs256_header, payload_of(t0, "", "cdpdx"))) ==
      errc::token_wrong_issuer);
  auto no_iss = R"({"sub":"a","role":"admin","iat":)" + std::to_string(at(t0)) +
                R"(,"exp":)" + std::to_string(at(t0 + 1h)) + R"(,"jti":"j"})";
  EXPECT_TRUE(refusal(codec, token(hs256_header, no_iss)) ==
              errc::token_wrong_issuer);
}

TEST_F(JwtCodec, MalformedTokensAreRefused) {
  for (const std::string& bad :
       {std::string{}, std::string("abc"), std::string("a.b"),
        std::string("a.b.c.d"), std::string("!!!.???.***"),
        base64url("not json") + "." + base64url("{}") + ".sig",
        std::string(max_token_bytes + 1, 'a')})
    EXPECT_TRUE(refusal(codec, bad) == errc::token_malformed) << bad;
  // Signed correctly but with missing or mistyped claims.
  auto iat = std::to_string(at(t0));
  auto exp = std::to_string(at(t0 + 1h));
  for (const std::string& payload :
       {R"({"iss":"cdpd","role":"admin","iat":)" + iat + R"(,"exp":)" + exp +
            R"(,"jti":"j"})",
        R"({"iss":"cdpd","sub":"a","role":"root","iat":)" + iat + R"(,"exp":)" +
            exp + R"(,"jti":"j"})",
        R"({"iss":"cdpd","sub":"a","role":"admin","iat":)" + iat +
            R"(,"exp":")" + exp + R"(","jti":"j"})",
        R"({"iss":"cdpd","sub":"a","role":"admin","iat":)" + iat +
            R"(,"exp":)" + exp + "}",
        std::string("[1,2,3]")})
    EXPECT_TRUE(refusal(codec, token(hs256_header, payload)) ==
                errc::token_malformed)
        << payload;
}

TEST_F(JwtCodec, TokensNameTheirKeyAndARotatedRingStillAcceptsThePrevious) {
  auto before = codec.issue("acct-1", role::viewer, 15min, t0);
  ASSERT_TRUE(before);
  auto old_key = make_hs256_key(key);
  auto new_key = make_hs256_key(other_key);
  EXPECT_NE(old_key.kid, new_key.kid);
  auto header_part = before->token.substr(0, before->token.find('.'));
  auto header = nlohmann::json::parse(
      jwt::base64_uri_decode(header_part.data(), header_part.size()));
  EXPECT_EQ(header.value("kid", ""), old_key.kid);

  codec.use({new_key, {old_key}});
  auto after = codec.issue("acct-1", role::viewer, 15min, t0);
  ASSERT_TRUE(after);
  EXPECT_TRUE(codec.verify(before->token, t0)) << "the previous key";
  EXPECT_TRUE(codec.verify(after->token, t0)) << "the new key";

  // The window closed: the previous key's tokens are refused, the new
  // key's are not, and the old codec does not know the new key.
  codec.use({new_key, {}});
  EXPECT_TRUE(refusal(codec, before->token) == errc::token_bad_signature);
  EXPECT_TRUE(codec.verify(after->token, t0));
  jwt_codec old_only{key, "cdpd"};
  EXPECT_TRUE(refusal(old_only, after->token) == errc::token_bad_signature);
}

TEST_F(JwtCodec, AKeyIdChoosesTheKeyButNeverSkipsTheSignature) {
  codec.use({make_hs256_key(other_key), {make_hs256_key(key)}});
  auto kid = make_hs256_key(key).kid;
  auto header = R"({"alg":"HS256","typ":"JWT","kid":")" + kid + R"("})";
  EXPECT_TRUE(codec.verify(token(header, payload_of(t0)), t0))
      << "signed by the key its kid names";
  EXPECT_TRUE(refusal(codec, token(header, payload_of(t0), other_key)) ==
              errc::token_bad_signature)
      << "kid of one key, signature of another";
  auto unknown = R"({"alg":"HS256","kid":"000000000000"})";
  EXPECT_TRUE(refusal(codec, token(unknown, payload_of(t0))) ==
              errc::token_bad_signature);
  auto mistyped = R"({"alg":"HS256","kid":7})";
  EXPECT_TRUE(refusal(codec, token(mistyped, payload_of(t0))) ==
              errc::token_bad_signature);
  // Tokens made before key ids carry none: the signing key checks them.
  EXPECT_TRUE(refusal(codec, token(hs256_header, payload_of(t0))) ==
              errc::token_bad_signature);
  EXPECT_TRUE(codec.verify(token(hs256_header, payload_of(t0), other_key), t0));
}

} // namespace
} // namespace cdpd::net::auth
