#include <gtest/gtest.h>

#include "net/email/errc.hpp"
#include "net/email/template.hpp"

namespace {

using namespace cdpd::net::email;

TEST(EmailTemplate, ListsPlaceholdersInOrderOnceEach) {
  auto names = parse_placeholders(
      "Hi {{first_name}} {{ last_name }}, {{first_name}} again",
      customer_placeholders());
  ASSERT_TRUE(names) << describe(names.error());
  EXPECT_EQ(*names, (std::vector<std::string>{"first_name", "last_name"}));
}

TEST(EmailTemplate, TextWithoutPlaceholdersHasNone) {
  auto names = parse_placeholders("Plain { text } with }} braces",
                                  customer_placeholders());
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
}

TEST(EmailTemplate, UnknownPlaceholderIsNamedWithItsOffset) {
  auto names = parse_placeholders("Dear {{first_name}}, {{ password }}!",
                                  customer_placeholders());
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error(), errc::invalid_template);
  EXPECT_EQ(classify(names.error()), failure::permanent);
  EXPECT_NE(describe(names.error()).find("'password'"), std::string::npos);
  EXPECT_NE(describe(names.error()).find("offset 21"), std::string::npos);
}

TEST(EmailTemplate, UnclosedPlaceholderReportsItsOffset) {
  auto parsed = parse_template("Hello {{first_name}}, see {{ last_name");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), errc::invalid_template);
  EXPECT_NE(describe(parsed.error()).find("offset 26"), std::string::npos)
      << describe(parsed.error());
}

TEST(EmailTemplate, EmptyOrMalformedNamesAreErrors) {
  for (const char* text : {"{{}}", "{{  }}", "{{first name}}", "{{1st}}",
                           "{{first-name}}", "{{ {{first_name}} }}"}) {
    auto parsed = parse_template(text);
    EXPECT_FALSE(parsed) << text;
    if (!parsed) {
      EXPECT_EQ(parsed.error(), errc::invalid_template) << text;
      EXPECT_NE(describe(parsed.error()).find("offset 0"), std::string::npos)
          << text << ": " << describe(parsed.error());
    }
  }
}

TEST(EmailTemplate, AllowedSetIsAParameter) {
  placeholder_set allowed{"coupon"};
  EXPECT_TRUE(parse_placeholders("{{coupon}}", allowed));
  EXPECT_FALSE(parse_placeholders("{{first_name}}", allowed));
}

TEST(EmailTemplate, CustomerPlaceholdersAreTheCustomerFields) {
  const auto& names = customer_placeholders();
  for (const char* name : {"first_name", "last_name", "email", "shipping_state",
                           "shipping_country", "unsubscribe_url"})
    EXPECT_EQ(names.count(name), 1u) << name;
}

TEST(EmailTemplate, TextRenderingInsertsValuesAsTheyAre) {
  auto text =
      render("Hi {{ first_name }} <{{email}}>!",
             {{"first_name", "Tom & \"Jerry\""}, {"email", "tom@example.org"}},
             body_kind::text);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "Hi Tom & \"Jerry\" <tom@example.org>!");
}

TEST(EmailTemplate, HtmlRenderingEscapesValuesButNotTheTemplate) {
  auto html = render("<p>Hi <b>{{first_name}}</b></p>",
                     {{"first_name", "<script>alert('x')</script> & co"}},
                     body_kind::html);
  ASSERT_TRUE(html);
  EXPECT_EQ(*html, "<p>Hi <b>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                   "&amp; co</b></p>");
}

TEST(EmailTemplate, MissingValuesRenderEmpty) {
  auto text = render("Hi {{first_name}}{{last_name}}.", {{"first_name", "A"}});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "Hi A.");
}

TEST(EmailTemplate, RenderOfBrokenTemplateFails) {
  auto text = render("Hi {{first_name", {{"first_name", "A"}});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error(), errc::invalid_template);
}

TEST(EmailTemplate, ParsedTemplateRendersManyTimes) {
  auto parsed = parse_template("{{first_name}}/{{shipping_country}}");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(render(*parsed, {{"first_name", "A"}, {"shipping_country", "DE"}}),
            "A/DE");
  EXPECT_EQ(render(*parsed, {{"first_name", "B"}}), "B/");
}

TEST(EmailTemplate, ValuesAreNeverReparsed) {
  auto text = render("{{first_name}}", {{"first_name", "{{last_name}}"}});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "{{last_name}}");
}

} // namespace
