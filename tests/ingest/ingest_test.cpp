// Unit tests of ingest/: tokens, sentences, and extraction of each hard case in
// ../shared/docs/extraction.md, sentence by sentence.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>

#include "ingest/evaluation.h"
#include "ingest/extraction.h"
#include "ingest/text.h"
#include "server/knowledge_loader.h"
#include "support/fixtures.h"

namespace {

using namespace relgraph::ingest;

const Knowledge& knowledge() {
  static const Knowledge k = relgraph::server::bundled_knowledge();
  return k;
}

// "type(subject, object)" plus " negated" / " attributed"; symmetric pairs in name order.
std::set<std::string> relations(const std::string& text, const char* date = "2024-03-18") {
  const Extraction x = extract(text, days_from_iso(date), knowledge());
  std::set<std::string> out;
  for (const auto& r : x.relations) {
    const auto& type = knowledge().relation_types()[r.type];
    std::string s = x.entities[r.subject].name, o = x.entities[r.object].name;
    if (type.symmetric && o < s) std::swap(s, o);
    std::string line = type.name + "(" + s + ", " + o + ")";
    if (r.negated) line += " negated";
    if (r.attributed) line += " attributed";
    out.insert(line);
  }
  return out;
}

}  // namespace

TEST_CASE("tokens keep byte offsets and fold typographic apostrophes") {
  const std::string text = "Beijing’s ties with the U.S. didn't change.";
  const auto toks = tokenize(text);
  REQUIRE(toks.size() >= 8);
  CHECK(toks[0].norm == "beijing");
  CHECK(toks[1].norm == "'s");
  CHECK(text.substr(toks[0].start, toks[0].end - toks[0].start) == "Beijing");
  bool us = false, neg = false;
  for (const auto& t : toks) {
    us |= t.norm == "u.s." && t.upper;
    neg |= t.norm == "n't";
  }
  CHECK(us);
  CHECK(neg);
}

TEST_CASE("sentences survive abbreviations, initials and numbers") {
  const std::string text =
      "Mr. Lavrov met Dr. Jones in the U.S. capital on Monday. Trade grew 3.5 percent, "
      "said John F. Kennedy Jr. of the institute. \"We agree,\" he said.\nA new line starts here";
  const auto toks = tokenize(text);
  const auto spans = split_sentences(toks);
  REQUIRE(spans.size() == 4);
  CHECK(text.substr(spans[0].start, spans[0].end - spans[0].start) ==
        "Mr. Lavrov met Dr. Jones in the U.S. capital on Monday.");
  CHECK(text.substr(spans[3].start, spans[3].end - spans[3].start) == "A new line starts here");
}

TEST_CASE("utf-8 validation rejects malformed bytes and NUL") {
  CHECK(is_valid_utf8("Erdoğan and Orbán met in Kyiv’s centre"));
  CHECK_FALSE(is_valid_utf8(std::string("abc\xff", 4)));
  CHECK_FALSE(is_valid_utf8(std::string("a\0b", 3)));
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a UTF-16 surrogate
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong '/'
}

TEST_CASE("dates round trip and invalid dates are rejected") {
  CHECK(days_from_iso("1970-01-01") == 0);
  CHECK(iso_from_days(*days_from_iso("2024-02-29")) == "2024-02-29");
  CHECK(days_from_iso("2024-03-18T09:00:00Z") == days_from_iso("2024-03-18"));
  CHECK_FALSE(days_from_iso("2023-02-29"));
  CHECK_FALSE(days_from_iso("2024-13-01"));
  CHECK_FALSE(days_from_iso("yesterday"));
}

TEST_CASE("seed article: the relations the core issue accepts on") {
  const auto r = relations(relgraph::testing::fixture_text("seed-article"));
  CHECK(r.count("congratulates(Xi Jinping, Vladimir Putin)"));
  CHECK(r.count("trades-with(China, Russia)"));
  CHECK(r.count("drills-with(China, Russia)"));
  CHECK(r.count("drills-with(China, Iran)"));
  CHECK(r.count("drills-with(Iran, Russia)"));
  CHECK(r.count("attacks(Russia, Ukraine)"));
  CHECK(r.count("affiliated-with(Ja Ian Chong, National University of Singapore)"));
  CHECK(r.count("affiliated-with(Wang Yiwei, Renmin University of China)"));
  CHECK(r.count("leads(Xi Jinping, China)"));
  // China denies supplying arms (negated); the West accuses it of support (attributed).
  CHECK(r.count("supports(China, Russia) negated"));
  CHECK(r.count("supports(China, Russia) attributed"));
  CHECK_FALSE(r.count("supports(China, Russia)"));
  CHECK(r.count("accuses(the West, China)"));
}

TEST_CASE("negation: a denied act is flagged, not asserted") {
  const auto r = relations("India denied supplying weapons to Russia on Tuesday.");
  CHECK(r.count("supports(India, Russia) negated"));
  CHECK_FALSE(r.count("supports(India, Russia)"));
}

TEST_CASE("attribution: an accusation is plain, what it claims is attributed") {
  const auto r = relations("Washington accuses Tehran of arming the Houthis.");
  CHECK(r.count("accuses(United States, Iran)"));
  CHECK(r.count("supports(Iran, Houthis) attributed"));
  const auto r2 = relations("According to a UN report, Russia attacked Ukraine's power grid.");
  CHECK(r2.count("attacks(Russia, Ukraine) attributed"));
}

TEST_CASE("intent is not action: future drills give no relation") {
  const auto r = relations("China and Russia will hold joint naval drills next year.");
  CHECK(r.empty());
}

TEST_CASE("several parties: every pair of a joint exercise") {
  const auto r = relations(
      "Recent joint naval exercises involving Chinese and Russian warships, along with Iran, "
      "drew attention.");
  CHECK(r == std::set<std::string>{"drills-with(China, Iran)", "drills-with(China, Russia)",
                                   "drills-with(Iran, Russia)"});
}

TEST_CASE("metonymy: a capital acts only where it is not a place") {
  CHECK(relations("Moscow condemned Kyiv on Friday.").count("criticizes(Russia, Ukraine)"));
  CHECK(relations("At a summit in Beijing, leaders criticized Russia.").empty());
  CHECK(relations("Beijing criticized Russia.").count("criticizes(China, Russia)"));
}

TEST_CASE("coreference: a title with a country resolves by the publication date") {
  const std::string text =
      "Xi Jinping spoke about energy. He later praised the Russian president for his leadership.";
  CHECK(relations(text, "2024-03-18").count("praises(Xi Jinping, Vladimir Putin)"));
}

TEST_CASE("unknown people and organisations are recognised from appositions") {
  const auto r = relations(
      "Maria Delgado, a senior fellow at the Lisbon Institute for Strategic Studies, said the "
      "talks mattered.");
  CHECK(r.count("affiliated-with(Maria Delgado, Lisbon Institute for Strategic Studies)"));
}

TEST_CASE("sports text yields nothing") {
  const auto r = relations(
      "Brazil beat Argentina 2-1 in the World Cup qualifier on Tuesday. The striker scored twice "
      "as Brazil attacked Argentina's defence in the second half.");
  CHECK(r.empty());
}

TEST_CASE("the same fact twice in one article is one relation with two mentions") {
  const std::string text =
      "China and Russia held joint military exercises on Monday. The joint military exercises "
      "between China and Russia lasted a week.";
  const Extraction x = extract(text, std::nullopt, knowledge());
  int drills = 0;
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  for (const auto& r : x.relations)
    if (knowledge().relation_types()[r.type].name == "drills-with") {
      ++drills;
      pairs.insert({r.subject, r.object});
    }
  CHECK(drills == 2);         // one mention per sentence ...
  CHECK(pairs.size() == 1);   // ... of the same pair
}

TEST_CASE("evidence offsets point at the sentence in the original bytes") {
  const std::string text = "Intro line.\nChinese President Xi Jinping congratulated Vladimir Putin.";
  const Extraction x = extract(text, days_from_iso("2024-03-18"), knowledge());
  REQUIRE_FALSE(x.relations.empty());
  const Sentence& s = x.sentences[x.relations[0].sentence];
  CHECK(text.substr(s.start, s.end - s.start) ==
        "Chinese President Xi Jinping congratulated Vladimir Putin.");
  CHECK(s.index == 1);
}

TEST_CASE("odd input does not crash the extractor") {
  CHECK(extract("", std::nullopt, knowledge()).relations.empty());
  CHECK(extract("...!?;:", std::nullopt, knowledge()).relations.empty());
  std::string long_run;
  for (int i = 0; i < 20000; ++i) long_run += "China Russia and ";
  const Extraction x = extract(long_run, std::nullopt, knowledge());
  CHECK(x.sentences.size() == 1);
}

TEST_CASE("a former or suspended office holder does not lead") {
  const auto r = relations(
      "Lula attended the inauguration of former Brazilian President Dilma Rousseff. "
      "Former Thai Prime Minister Thaksin Shinawatra criticised Hun Sen.",
      "2024-05-01");
  CHECK_FALSE(r.count("leads(Dilma Rousseff, Brazil)"));
  CHECK_FALSE(r.count("leads(Thaksin Shinawatra, Thailand)"));
  CHECK(r.count("criticizes(Thaksin Shinawatra, Hun Sen)"));
}

TEST_CASE("datelines without an agency are not actors") {
  const auto r = relations("JAKARTA - Leaders of the region criticised Myanmar on Tuesday.", "2023-09-06");
  CHECK_FALSE(r.count("criticizes(Indonesia, Myanmar)"));
}

TEST_CASE("coordination: a possessor belongs to its name, a list has one 'and'") {
  const auto r = relations(
      "President Irfaan Ali and Venezuela's Nicolás Maduro met on Thursday. "
      "Mr Widodo also held talks with Li Qiang, and Indonesia and China signed agreements.",
      "2023-12-15");
  CHECK(r.count("meets-with(Irfaan Ali, Nicolás Maduro)"));
  CHECK(r.count("signs-agreement-with(China, Indonesia)"));
  CHECK_FALSE(r.count("signs-agreement-with(China, Li Qiang)"));
}

TEST_CASE("an object pronoun is not its own verb's subject; 'the group' is the last organisation") {
  const auto r = relations(
      "Lee Jae-myung criticized Yoon Suk Yeol for his diplomacy and accused him of ignoring the "
      "victims. The White House accused Iran of arming the Houthis. Tehran denies arming the group.",
      "2024-01-12");
  CHECK(r.count("accuses(Lee Jae-myung, Yoon Suk Yeol)"));
  CHECK(r.count("supports(Iran, Houthis) negated"));
}

TEST_CASE("a second verb after 'and' keeps the subject; its object stops at the next verb") {
  const auto r = relations(
      "Milei travelled to Madrid at the invitation of the Vox party and did not meet Pedro Sánchez. "
      "Ilham Aliyev condemned the arms deal and accused Paris of militarising the region.",
      "2024-05-21");
  CHECK(r.count("meets-with(Javier Milei, Pedro Sánchez) negated"));
  CHECK(r.count("accuses(Ilham Aliyev, France)"));
  CHECK_FALSE(r.count("criticizes(Ilham Aliyev, France)"));
}

TEST_CASE("extra dictionaries: a key defined twice names both files; kind is required") {
  auto sources = relgraph::server::bundled_sources(
      {{"analysts/a.json", R"([{"key": "ada-quill", "name": "Ada Quill", "kind": "person"}])"},
       {"analysts/b.json", R"([{"key": "ada-quill", "name": "A. Quill", "kind": "person"}])"}});
  try {
    Knowledge::build(sources);
    FAIL("a key defined twice was accepted");
  } catch (const KnowledgeError& e) {
    const std::string what = e.what();
    CHECK(what.find("analysts/a.json") != std::string::npos);
    CHECK(what.find("analysts/b.json") != std::string::npos);
  }
  sources = relgraph::server::bundled_sources({{"analysts/c.json", R"([{"key": "zed", "name": "Zed"}])"}});
  CHECK_THROWS_AS(Knowledge::build(sources), KnowledgeError);
}

TEST_CASE("a year in a 'since' clause dates a baseline, not the sentence's event") {
  const auto r = relations(
      "Prime Minister Narendra Modi on Friday held talks with Ukrainian President Volodymyr "
      "Zelenskyy in Kyiv, the first visit by an Indian prime minister since the two countries "
      "established diplomatic ties in 1992. In 1988, Rajiv Gandhi visited China.",
      "2024-08-23");
  CHECK(r.count("meets-with(Narendra Modi, Volodymyr Zelenskyy)"));
  CHECK_FALSE(r.count("visits(Rajiv Gandhi, China)"));
}

TEST_CASE("relative clause: the subject is the antecedent of ', which ...,'") {
  const auto r = relations(
      "Japan, which is negotiating a reciprocal access agreement with the Philippines, also "
      "criticized China's dangerous maneuvers. South Africa, which lost 13 soldiers in the "
      "fighting, accused Rwanda of attacking its peacekeepers.",
      "2024-06-19");
  CHECK(r.count("criticizes(Japan, China)"));
  CHECK_FALSE(r.count("criticizes(Philippines, China)"));
  CHECK(r.count("accuses(South Africa, Rwanda)"));
}

TEST_CASE("a possessor is not coordinated with the actor after its noun") {
  const auto r = relations(
      "Brazil, Colombia and Chile condemned Ecuador's action, and the Organization of American "
      "States called an emergency meeting.",
      "2024-04-07");
  CHECK(r.count("criticizes(Brazil, Ecuador)"));
  CHECK(r.count("criticizes(Chile, Ecuador)"));
  CHECK_FALSE(r.count("criticizes(Brazil, Organization of American States)"));
}

TEST_CASE("an object pronoun after coordinated subjects is someone named before them") {
  const auto r = relations(
      "Anura Kumara Dissanayake was sworn in as Sri Lanka's president on Monday. Pakistan's Prime "
      "Minister Shehbaz Sharif and Maldives President Mohamed Muizzu also congratulated him.",
      "2024-09-23");
  CHECK(r.count("congratulates(Shehbaz Sharif, Anura Kumara Dissanayake)"));
  CHECK(r.count("congratulates(Mohamed Muizzu, Anura Kumara Dissanayake)"));
  CHECK_FALSE(r.count("congratulates(Shehbaz Sharif, Mohamed Muizzu)"));
}

TEST_CASE("members act for their body: 'Leaders of the Group of Seven condemned'") {
  const auto r = relations(
      "Leaders of the Group of Seven condemned Iran's attack in the strongest terms.", "2024-04-14");
  CHECK(r.count("criticizes(G7, Iran)"));
}

TEST_CASE("intent: an infinitive governed by 'agreed', 'invited', 'urged' is no act") {
  const auto r = relations(
      "President Yoon Suk Yeol, U.S. President Joe Biden and Japanese Prime Minister Fumio Kishida "
      "agreed at their first trilateral summit to hold annual joint military exercises. Xi invited "
      "Lula to visit China again. The United States and the Philippines held joint exercises.",
      "2023-08-19");
  CHECK_FALSE(r.count("drills-with(Joe Biden, Yoon Suk Yeol)"));
  CHECK_FALSE(r.count("visits(Luiz Inácio Lula da Silva, China)"));
  CHECK(r.count("drills-with(Philippines, United States)"));
}

TEST_CASE("shared title: 'President X and Venezuela's Y', 'Presidents X and Y'") {
  auto r = relations(
      "President Irfaan Ali and Venezuela's Nicolás Maduro met on Thursday at Argyle "
      "International Airport.",
      "2023-12-14");
  CHECK(r.count("leads(Irfaan Ali, Guyana)"));
  CHECK(r.count("leads(Nicolás Maduro, Venezuela)"));
  r = relations("Presidents Xi Jinping and Vladimir Putin signed a joint statement.", "2024-05-16");
  CHECK(r.count("leads(Vladimir Putin, Russia)"));
  // The dictionary must agree: an opposition leader shares no title.
  r = relations("President Nicolás Maduro and Venezuela's María Corina Machado spoke.", "2024-05-16");
  CHECK_FALSE(r.count("leads(María Corina Machado, Venezuela)"));
}

TEST_CASE("counterpart: 'his Hungarian counterpart Viktor Orbán' holds his dictionary role") {
  const auto r = relations(
      "Swedish Prime Minister Ulf Kristersson travelled to Budapest for talks with his Hungarian "
      "counterpart Viktor Orbán. Lecornu signed a contract with his Armenian counterpart, Suren "
      "Papikyan.",
      "2024-02-23");
  CHECK(r.count("leads(Viktor Orbán, Hungary)"));
  CHECK(r.count("affiliated-with(Suren Papikyan, Armenia)"));
}

TEST_CASE("bare title: 'the prime minister' is the last person named who holds it") {
  const auto r = relations(
      "Volodymyr Zelenskyy flew to London to see Keir Starmer. The prime minister embraced him on "
      "the steps of Downing Street.",
      "2025-03-01");
  CHECK(r.count("leads(Keir Starmer, United Kingdom)"));
}

TEST_CASE("noun trigger: the agent after its object ('the first visit to Brazil by X')") {
  const auto r = relations(
      "Lula had received Venezuelan President Nicolás Maduro at the Planalto Palace on Monday, "
      "the first visit to Brazil by the Venezuelan leader since 2015. Ali and Maduro met in talks "
      "brokered by Caricom and Brazil.",
      "2023-05-30");
  CHECK(r.count("visits(Nicolás Maduro, Brazil)"));
  CHECK_FALSE(r.count("visits(Luiz Inácio Lula da Silva, Brazil)"));
  CHECK_FALSE(r.count("meets-with(Brazil, Caricom)"));
}

TEST_CASE("collectives of three: 'the three leaders condemned'") {
  const auto r = relations(
      "Joe Biden hosted Yoon Suk Yeol and Fumio Kishida at Camp David. The three leaders strongly "
      "condemned North Korea's ballistic missile launches.",
      "2023-08-19");
  CHECK(r.count("criticizes(Joe Biden, North Korea)"));
  CHECK(r.count("criticizes(Yoon Suk Yeol, North Korea)"));
  CHECK(r.count("criticizes(Fumio Kishida, North Korea)"));
}

TEST_CASE("a new clause inside an object list: ', and X', 'and X upgraded'") {
  const auto r = relations(
      "Mr Widodo also held talks with Li Qiang, and Indonesia and China signed agreements. "
      "Joe Biden visited Hanoi and the two countries upgraded their ties. "
      "Trade between China and Russia reached record levels.",
      "2023-09-06");
  CHECK_FALSE(r.count("meets-with(Indonesia, Joko Widodo)"));
  CHECK_FALSE(r.count("visits(Joe Biden, United States)"));
  CHECK(r.count("visits(Joe Biden, Vietnam)"));
  CHECK(r.count("trades-with(China, Russia)"));
}

TEST_CASE("a summit hosted by a state is no meeting with the summit's name") {
  const auto r = relations(
      "Mohammed bin Salman held talks with Narendra Modi, a day after attending the G20 summit "
      "hosted by India.",
      "2023-09-11");
  CHECK(r.count("meets-with(Mohammed bin Salman, Narendra Modi)"));
  CHECK_FALSE(r.count("meets-with(G20, India)"));
}

TEST_CASE("a head word alone is no organisation: 'Party General Secretary X'") {
  const auto r = relations(
      "Party General Secretary Nguyen Phu Trong held talks with Chinese leader Xi Jinping in Hanoi.",
      "2023-12-12");
  for (const auto& rel : r) CHECK(rel.find("Party") == std::string::npos);
}

TEST_CASE("gerunds: 'accused China of harassing' has a subject, 'the tradition of visiting' none") {
  const auto r = relations(
      "Marcos accused China of harassing Filipino fishermen. Muizzu broke with the tradition of "
      "visiting India first. The EU stopped short of sanctioning Rosatom.",
      "2024-01-10");
  CHECK(r.count("accuses(Ferdinand Marcos Jr., China)"));
  CHECK_FALSE(r.count("visits(Ferdinand Marcos Jr., India)"));
  CHECK_FALSE(r.count("visits(Mohamed Muizzu, India)"));
  CHECK(r.count("sanctions(European Union, Rosatom) negated"));
}

TEST_CASE("a possessor of another actor is not the subject: 'Hungary's ruling party ..., accusing'") {
  const auto r = relations(
      "Hungary's ruling Fidesz party had stalled the ratification, accusing Swedish politicians of "
      "lecturing Budapest.",
      "2024-02-23");
  CHECK_FALSE(r.count("accuses(Hungary, Sweden)"));
}

TEST_CASE("'and reaffirmed its support': a second verb's 'its' is the subject's") {
  const auto r = relations(
      "The United States condemned China's actions and reaffirmed its support for the Philippines.",
      "2024-06-19");
  CHECK(r.count("criticizes(United States, China)"));
  CHECK(r.count("supports(United States, Philippines)"));
  CHECK_FALSE(r.count("supports(China, Philippines)"));
}

TEST_CASE("states of titles count as named: 'Somali President X ... the two countries'") {
  const auto r = relations(
      "Somali President Hassan Sheikh Mohamud and Ethiopian Prime Minister Abiy Ahmed met in "
      "Ankara. The two countries signed the Ankara Declaration.",
      "2024-12-12");
  CHECK(r.count("signs-agreement-with(Ethiopia, Somalia)"));
}

TEST_CASE("'where the three countries meet' is geography") {
  const auto r = relations(
      "Mali, Burkina Faso and Niger signed the charter, named after the border region where the "
      "three countries meet.",
      "2023-09-16");
  CHECK(r.count("signs-agreement-with(Burkina Faso, Mali)"));
  CHECK_FALSE(r.count("meets-with(Burkina Faso, Mali)"));
}

TEST_CASE("title, unknown name, 'of <state>': 'President Faure Essozimna of Togo'") {
  const auto r = relations(
      "President Faure Essozimna of Togo hosted Benin's President Romuald Wadagni in Lome.",
      "2025-03-01");
  CHECK(r.count("leads(Faure Essozimna, Togo)"));
  CHECK(r.count("meets-with(Faure Essozimna, Romuald Wadagni)"));
  CHECK_FALSE(r.count("meets-with(Romuald Wadagni, Togo)"));
}

TEST_CASE("an unnamed counterpart holds the possessor's role in the other state") {
  auto r = relations("Wang Yi held talks with his Russian counterpart in Beijing on Tuesday.",
                     "2024-04-09");
  CHECK(r.count("meets-with(Sergei Lavrov, Wang Yi)"));
  r = relations("Japanese Prime Minister Fumio Kishida met his South Korean counterpart in Tokyo.",
                "2023-03-16");
  CHECK(r.count("meets-with(Fumio Kishida, Yoon Suk Yeol)"));
  // The owner is the person named before it, not whom "his" would refer to alone.
  r = relations("The Uruguayan president visited Argentina. Kenya's foreign minister met his "
                "Rwandan counterpart.",
                "2025-03-10");
  CHECK(r.count("meets-with(Musalia Mudavadi, Olivier Nduhungirehe)"));
}

TEST_CASE("names without diacritics match: 'Sanchez', 'Lopez Obrador', 'Erdogan'") {
  const auto r = relations(
      "Pedro Sanchez criticised Israel. Lopez Obrador criticised Ecuador.", "2024-04-08");
  CHECK(r.count("criticizes(Pedro Sánchez, Israel)"));
  CHECK(r.count("criticizes(Andrés Manuel López Obrador, Ecuador)"));
  CHECK(ascii_fold("Erdoğan, Sánchez, Ólafur") == "Erdogan, Sanchez, Olafur");
}

TEST_CASE("receiving a person is a meeting; receiving support is not") {
  const auto r = relations(
      "Spanish Prime Minister Pedro Sanchez was received by Xi Jinping in Beijing. Kenya received "
      "U.S. support. Lula received Maduro at the Planalto Palace.",
      "2024-09-09");
  CHECK(r.count("meets-with(Pedro Sánchez, Xi Jinping)"));
  CHECK(r.count("meets-with(Luiz Inácio Lula da Silva, Nicolás Maduro)"));
  CHECK_FALSE(r.count("meets-with(Kenya, United States)"));
}

TEST_CASE("'met with visiting Chinese Foreign Minister': the participle describes a title") {
  const auto r = relations(
      "Vladimir Putin on Tuesday met with visiting Chinese Foreign Minister Wang Yi in Moscow. "
      "Orbán travelled to Kyiv, meeting Ukrainian President Volodymyr Zelenskyy.",
      "2024-07-02");
  CHECK(r.count("meets-with(Vladimir Putin, Wang Yi)"));
  CHECK_FALSE(r.count("visits(Vladimir Putin, Wang Yi)"));
  CHECK(r.count("meets-with(Viktor Orbán, Volodymyr Zelenskyy)"));
}

TEST_CASE("attacks: 'launched missiles at', 'fired water cannon at Philippine vessels'") {
  const auto r = relations(
      "Iran launched missiles at Israel overnight. Chinese coast guard ships fired water cannon at "
      "Philippine vessels. India launched a new satellite.",
      "2024-08-01");
  CHECK(r.count("attacks(Iran, Israel)"));
  CHECK(r.count("attacks(China, Philippines)"));
  CHECK(r.size() == 2);
}

TEST_CASE("a noun trigger in an opening phrase: 'In a phone call with Erdogan, Putin ...'") {
  const auto r = relations(
      "In a phone call with Erdogan, Putin discussed Syria. After the talks, China and Australia "
      "signed five cooperation documents.",
      "2024-06-17");
  CHECK(r.count("meets-with(Recep Tayyip Erdoğan, Vladimir Putin)"));
  CHECK_FALSE(r.count("meets-with(Australia, China)"));
}

TEST_CASE("'traded fire' is no trade; 'provided Kyiv with aid' is support") {
  const auto r = relations(
      "Pakistan and Afghanistan traded fire along the border. Washington has provided Kyiv with "
      "$60 billion in military aid. India trades with Russia.",
      "2024-06-17");
  CHECK_FALSE(r.count("trades-with(Afghanistan, Pakistan)"));
  CHECK(r.count("supports(United States, Ukraine)"));
  CHECK(r.count("trades-with(India, Russia)"));
}

TEST_CASE("'NATO chief Mark Rutte' leads; 'the Houthis' chief negotiator' is no title") {
  const auto r = relations(
      "British Prime Minister Keir Starmer met NATO chief Mark Rutte. Mohammed Abdulsalam, the "
      "Houthis' chief negotiator and spokesman, criticised the strikes.",
      "2024-12-06");
  CHECK(r.count("leads(Mark Rutte, NATO)"));
  CHECK(r.count("meets-with(Keir Starmer, Mark Rutte)"));
  CHECK_FALSE(r.count("leads(Mohammed Abdulsalam, Houthis)"));
}

TEST_CASE("an honorific between title and name: 'President Dr. Mohamed Muizzu'") {
  const auto r = relations("Maldivian President Dr. Mohamed Muizzu met IAEA chief Rafael Grossi.",
                           "2024-09-06");
  CHECK(r.count("leads(Mohamed Muizzu, Maldives)"));
  CHECK(r.count("meets-with(Mohamed Muizzu, Rafael Grossi)"));
}

TEST_CASE("intent cues: 'is to visit', 'unlikely to', 'did not rule out', 'upcoming talks'") {
  const auto r = relations(
      "The US did not rule out sanctions on China. Analysts say Beijing is unlikely to attack "
      "Taiwan. Modi is to visit Moscow next month. Japan's upcoming talks with China were "
      "postponed. Blinken arrived in Beijing ahead of talks with Wang Yi.",
      "2024-06-01");
  CHECK(r.count("visits(Antony Blinken, China)"));
  CHECK(r.size() == 1);
}

TEST_CASE("a topic is no act: 'the two leaders discussed trade'") {
  const auto r = relations(
      "Mohammed bin Salman received Volodymyr Zelenskyy in Jeddah. The two leaders discussed "
      "trade and aid.",
      "2024-11-01");
  CHECK(r.count("meets-with(Mohammed bin Salman, Volodymyr Zelenskyy)"));
  CHECK_FALSE(r.count("trades-with(Mohammed bin Salman, Volodymyr Zelenskyy)"));
}

TEST_CASE("negation stays in its clause: 'would not be intimidated, and accused China'") {
  const auto r = relations(
      "Ferdinand Marcos Jr told his counterparts that his country would not be intimidated, and "
      "accused China of harassing Filipino fishermen.",
      "2023-09-06");
  CHECK(r.count("accuses(Ferdinand Marcos Jr., China)"));
  CHECK_FALSE(r.count("accuses(Ferdinand Marcos Jr., China) negated"));
}

TEST_CASE("a country's name as a noun modifier is a topic: 'criticised the Haiti plan'") {
  const auto r = relations(
      "Raila Odinga has criticised the Haiti plan. The United States attacked the Houthis.",
      "2024-05-23");
  CHECK_FALSE(r.count("criticizes(Raila Odinga, Haiti)"));
  CHECK(r.count("attacks(United States, Houthis)"));
}

TEST_CASE("the owner of an effort: 'Egypt's efforts to deliver aid to Gaza'") {
  const auto r = relations("Erdoğan praised Egypt's efforts to deliver aid to Gaza.", "2024-02-14");
  CHECK(r.count("supports(Egypt, Gaza Strip)"));
  CHECK_FALSE(r.count("supports(Recep Tayyip Erdoğan, Gaza Strip)"));
}

TEST_CASE("'and had lunch with Moon': a second verb's noun keeps the sentence subject") {
  const auto r = relations(
      "Earlier on Sunday, Donald Trump visited U.S. troops at Camp Bonifas and had lunch with Moon "
      "Jae-in in Seoul.",
      "2019-06-30");
  CHECK(r.count("meets-with(Donald Trump, Moon Jae-in)"));
  CHECK_FALSE(r.count("meets-with(Moon Jae-in, United States)"));
}

TEST_CASE("'after the talks' names no one who talked; 'wrapped up joint exercises' does") {
  const auto r = relations(
      "India and Ukraine signed four agreements after the talks. Egypt and Qatar announced a "
      "ceasefire deal after months of talks in Doha. Warships from India, Japan and "
      "Australia wrapped up ten days of joint naval exercises.",
      "2024-08-23");
  CHECK_FALSE(r.count("meets-with(India, Ukraine)"));
  CHECK_FALSE(r.count("meets-with(Egypt, Qatar)"));
  CHECK(r.count("drills-with(Australia, Japan)"));
}

TEST_CASE("', praising Maduro': the speaker outside the quotation praises") {
  const auto r = relations(
      "\"Venezuela has always been a victim of a narrative,\" Lula said, praising Maduro for his "
      "willingness to negotiate.",
      "2023-05-30");
  CHECK(r.count("praises(Luiz Inácio Lula da Silva, Nicolás Maduro)"));
  CHECK_FALSE(r.count("praises(Venezuela, Nicolás Maduro)"));
}

TEST_CASE("'the army, led by General X,' leads; 'an army-led government' does not") {
  const auto r = relations(
      "The RSF has been at war with the Sudanese Armed Forces, led by army chief General Abdel "
      "Fattah al-Burhan, since April 2023. Sudan's army-led government accused the UAE.",
      "2025-01-07");
  CHECK(r.count("leads(Abdel Fattah al-Burhan, Sudanese Armed Forces)"));
  CHECK_FALSE(r.count("leads(Sudan, United Arab Emirates)"));
}

TEST_CASE("'the Israeli military struck Hezbollah': a past form after 'military' is a verb") {
  const auto r = relations(
      "The Israeli military struck Hezbollah on Monday. The United States military attacked the "
      "Houthis. A military attack on Iran was ruled out.",
      "2024-05-23");
  CHECK(r.count("attacks(Israel, Hezbollah)"));
  CHECK(r.count("attacks(United States, Houthis)"));
  CHECK(r.size() == 2);
}

TEST_CASE("'CIA Director William Burns' leads the CIA; 'a director at CSIS' is affiliated") {
  const auto r = relations(
      "CIA Director William Burns met Mossad chief David Barnea in Doha. Amy Searight, a director "
      "at the Center for Strategic and International Studies, said the talks mattered.",
      "2024-01-28");
  CHECK(r.count("leads(William Burns, CIA)"));
  CHECK(r.count("leads(David Barnea, Mossad)"));
  CHECK(r.count("affiliated-with(Amy Searight, Center for Strategic and International Studies)"));
}

TEST_CASE("appositions with a possessive: 'China, Pakistan's main arms supplier,'") {
  const auto r = relations(
      "China, Pakistan's closest ally and main arms supplier, called the strikes regrettable. "
      "Turkey, Azerbaijan's closest ally, has supplied Baku with Bayraktar drones.",
      "2025-05-07");
  CHECK(r.count("supports(China, Pakistan)"));
  CHECK(r.count("supports(Turkey, Azerbaijan)"));
}

TEST_CASE("'with help from X': the one helped is the sentence's subject when none is near") {
  const auto r = relations(
      "Israel's military said 99 percent of the projectiles were intercepted with help from the "
      "United States, the United Kingdom and France.",
      "2024-04-14");
  CHECK(r.count("supports(United States, Israel)"));
  CHECK(r.count("supports(France, Israel)"));
}

TEST_CASE("'to either side' is both of the last two states") {
  const auto r = relations(
      "Narendra Modi visited Ukraine weeks after a trip to Russia. S Jaishankar said India had not "
      "supplied weapons to either side.",
      "2024-08-23");
  CHECK(r.count("supports(India, Russia) negated"));
}

TEST_CASE("'the president' after a visit story is the host, the previous sentence's topic") {
  const auto r = relations(
      "U.S. President Joe Biden hosted Kenyan President William Ruto at the White House. The "
      "president praised Ruto for his leadership.",
      "2024-05-23");
  CHECK(r.count("praises(Joe Biden, William Ruto)"));
}

TEST_CASE("'the two countries' are the states of the people just named") {
  const auto r = relations(
      "China criticised the visit. Ruto, who also met Vice President Kamala Harris, said the two "
      "countries signed agreements on debt relief.",
      "2024-05-23");
  CHECK(r.count("signs-agreement-with(Kenya, United States)"));
  CHECK_FALSE(r.count("signs-agreement-with(China, Kenya)"));
}

TEST_CASE("'A State Department spokesman': the article is no part of a dictionary name") {
  const auto r = relations("A State Department spokesman, Matthew Miller, criticised Russia.",
                           "2024-05-23");
  CHECK(r.count("affiliated-with(Matthew Miller, United States)"));
}

TEST_CASE("development set: micro scores over fixtures/articles and fixtures/dev") {
  Score total;
  for (const char* split : {"articles", "dev"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(relgraph::testing::fixtures_dir() / split)) {
      const std::string file = entry.path().filename().string();
      if (!file.ends_with(".gold.json")) continue;
      const std::string name = file.substr(0, file.size() - std::string(".gold.json").size());
      const auto gold = nlohmann::json::parse(relgraph::testing::read_text(entry.path()));
      const std::string text =
          relgraph::testing::read_text(entry.path().parent_path() / (name + ".txt"));
      const auto day = days_from_iso(gold["article"]["published_at"].get<std::string>());
      const Extraction x = extract(text, day, knowledge());
      total.add(score_article(name, gold, predicted_relations(x, text, knowledge()), knowledge()));
    }
  }
  INFO(format_score(total, false));
  // Thresholds a little under the measured figures (96 articles, 1,456 gold relations: P 0.931,
  // R 0.812, F1 0.868 on 2026-11-27, after the third and fourth held-out sets, b01-b14 and
  // c01-c14, joined the development set), so a rule change that costs quality fails here. These
  // are development figures: the rules were tuned on most of these articles.
  CHECK(total.overall.precision() >= 0.91);
  CHECK(total.overall.recall() >= 0.78);
  CHECK(total.overall.f1() >= 0.84);
}

TEST_CASE("a city stands for its state as an attack's target or a trip's end, not as a place of fighting") {
  const auto r = relations(
      "Russia attacked the port city of Odesa with drones. Modi arrived in Kazan for the BRICS "
      "summit. RSF fighters attacked army positions in El Fasher. Israeli jets struck Tyre.",
      "2024-10-22");
  CHECK(r.count("attacks(Russia, Ukraine)"));
  CHECK(r.count("attacks(Israel, Lebanon)"));
  // Travelling to a city is a visit to its state, as the blind annotators of the b- and
  // c-sets both coded it ("travelled to Johannesburg", "traveled to Kazan").
  CHECK(r.count("visits(Narendra Modi, Russia)"));
  CHECK_FALSE(r.count("attacks(Rapid Support Forces, Sudan)"));
}

TEST_CASE("sports-world words keep verbal acts but drop match metaphors") {
  const auto r = relations(
      "Amnesty International accused FIFA of ignoring the risks to workers at the World Cup.",
      "2024-12-11");
  CHECK(r.count("accuses(Amnesty International, FIFA)"));
  const auto m = relations("Japan attacked Spain relentlessly in the World Cup.", "2022-12-01");
  CHECK(m.empty());
  const auto c = relations("Portugal captain Cristiano Ronaldo hailed the decision.", "2024-12-11");
  CHECK_FALSE(c.count("affiliated-with(Cristiano Ronaldo, Portugal)"));
}

TEST_CASE("congratulations by telephone are also a conversation") {
  const auto r = relations(
      "Malaysian Prime Minister Anwar Ibrahim congratulated Prabowo Subianto in a telephone call.",
      "2024-03-21");
  CHECK(r.count("congratulates(Anwar Ibrahim, Prabowo Subianto)"));
  CHECK(r.count("meets-with(Anwar Ibrahim, Prabowo Subianto)"));
  const auto n = relations("Anwar Ibrahim has not congratulated Prabowo Subianto by phone.",
                           "2024-03-21");
  CHECK_FALSE(n.count("meets-with(Anwar Ibrahim, Prabowo Subianto)"));
}

TEST_CASE("'sent X a congratulatory letter': the giver congratulates the receiver") {
  const auto r = relations(
      "Prime Minister Lee Hsien Loong sent Mr Prabowo a congratulatory letter.", "2024-03-21");
  CHECK(r.count("congratulates(Lee Hsien Loong, Prabowo Subianto)"));
}

TEST_CASE("a head of government with two titles leads and is not only affiliated") {
  const auto r = relations(
      "Saudi Crown Prince and Prime Minister Mohammed bin Salman welcomed the vote.", "2024-12-11");
  CHECK(r.count("leads(Mohammed bin Salman, Saudi Arabia)"));
  CHECK_FALSE(r.count("affiliated-with(Mohammed bin Salman, Saudi Arabia)"));
}

TEST_CASE("'one of Y's largest trading partners' is trade") {
  CHECK(relations("India is one of Sri Lanka's largest trading partners.", "2025-04-05")
            .count("trades-with(India, Sri Lanka)"));
}

TEST_CASE("a state that describes a named company is not the party") {
  const auto r = relations(
      "Serbia signed a contract with French aircraft maker Dassault Aviation on Thursday.",
      "2024-08-30");
  CHECK(r.count("signs-agreement-with(Dassault Aviation, Serbia)"));
  CHECK_FALSE(r.count("signs-agreement-with(France, Serbia)"));
}

TEST_CASE("a gerund after 'before' or 'after' has the clause's subject") {
  const auto r = relations(
      "Dissanayake made his first foreign visit as president to New Delhi in December, before "
      "travelling to Beijing in January.",
      "2025-04-05");
  CHECK(r.count("visits(Anura Kumara Dissanayake, China)"));
  CHECK_FALSE(r.count("visits(India, China)"));
  CHECK(relations("Macron and Serbian President Aleksandar Vucic attended the signing after "
                  "holding talks on defence.",
                  "2024-08-30")
            .count("meets-with(Aleksandar Vučić, Emmanuel Macron)"));
}

TEST_CASE("places counted after a state adjective are the state's: 'three Iranian sites'") {
  CHECK(relations("US bombers struck three Iranian nuclear facilities.", "2025-06-22")
            .count("attacks(United States, Iran)"));
}

TEST_CASE("eval: an entity matches by its aliases; misses show their sentence") {
  const auto gold = nlohmann::json::parse(R"({"entities": [
      {"name": "Democratic Republic of the Congo", "kind": "country", "aliases": []},
      {"name": "Rwanda", "kind": "country", "aliases": []}],
    "relations": [
      {"type": "signs-agreement-with", "subject": "Democratic Republic of the Congo",
       "object": "Rwanda", "sentence": 0},
      {"type": "accuses", "subject": "Rwanda", "object": "Democratic Republic of the Congo",
       "sentence": 1}]})");
  PredictedRelation p{"signs-agreement-with", "DR Congo", "Rwanda", false, false, "s0",
                      {"Democratic Republic of the Congo", "DRC"}, {}};
  const Score s = score_article("a", gold, {p}, knowledge(), {"They signed.", "Kigali accused."});
  CHECK(s.overall.true_positives == 1);
  REQUIRE(s.misses.size() == 1);
  CHECK(s.misses[0].find("in: Kigali accused.") != std::string::npos);
}

TEST_CASE("attack phrasings: strikes on targets in a state, a possessor's war, pounded") {
  CHECK(relations("Pakistan carried out retaliatory strikes on militant hideouts in Iran.",
                  "2024-01-18")
            .count("attacks(Pakistan, Iran)"));
  CHECK(relations("Russia's war in Ukraine has disrupted grain exports.", "2024-01-18")
            .count("attacks(Russia, Ukraine)"));
  CHECK(relations("Hungary's stance on the war in Ukraine angered Poland.", "2024-01-18").empty());
  CHECK(relations("Russian missiles pounded Ukraine's energy grid.", "2024-01-18")
            .count("attacks(Russia, Ukraine)"));
  // The consulate is Iran's: the host state is not the target.
  CHECK_FALSE(relations("Iran blamed Israel for an air strike on its consulate in Damascus.",
                        "2024-04-14")
                  .count("attacks(Iran, Syria)"));
  // A speaker after a comma is no apposition of the object.
  CHECK(relations("North Korea fired a ballistic missile into the sea, Japan said.", "2024-01-18")
            .empty());
}

TEST_CASE("drills joined, blacklists, deliveries, sitting down and welcoming a visitor") {
  const auto d = relations("Iran took part in exercises alongside Russia and China.", "2024-03-12");
  CHECK(d.count("drills-with(Iran, Russia)"));
  CHECK(d.count("drills-with(China, Iran)"));
  CHECK(relations("Germany delivered air defence systems to Ukraine.", "2024-01-18")
            .count("supports(Germany, Ukraine)"));
  CHECK(relations("Xi Jinping sat down with Joe Biden at the Filoli estate.", "2023-11-15")
            .count("meets-with(Joe Biden, Xi Jinping)"));
  CHECK(relations("Erdogan was welcomed by Mitsotakis in Athens.", "2023-12-07")
            .count("meets-with(Kyriakos Mitsotakis, Recep Tayyip Erdoğan)"));
  CHECK(relations("Mitsotakis welcomed Erdogan's remarks.", "2023-12-07").empty());
}

TEST_CASE("'according to' after a verb of arming attributes the claim; after a figure it does not") {
  CHECK(relations("Pyongyang has shipped millions of artillery shells to Russia, according to "
                  "South Korean intelligence.",
                  "2024-06-18")
            .count("supports(North Korea, Russia) attributed"));
  CHECK(relations("Trade between China and Russia rose 26 per cent, according to Chinese customs "
                  "data.",
                  "2024-06-18")
            .count("trades-with(China, Russia)"));
  CHECK(relations("IAEA head Rafael Grossi visited Iran.", "2024-05-07")
            .count("leads(Rafael Grossi, IAEA)"));
}

TEST_CASE("'the two sides' after two office holders are their states") {
  CHECK(relations("Mohammed bin Salman arrived in New Delhi for talks with Narendra Modi. The "
                  "two sides signed eight agreements covering energy.",
                  "2023-09-11")
            .count("signs-agreement-with(India, Saudi Arabia)"));
}

TEST_CASE("calls, landings, purchases and sales") {
  const auto c = relations("Erdogan phoned Putin to congratulate him on his re-election.",
                           "2024-03-18");
  CHECK(c.count("congratulates(Recep Tayyip Erdoğan, Vladimir Putin)"));
  CHECK(c.count("meets-with(Recep Tayyip Erdoğan, Vladimir Putin)"));
  CHECK(relations("Zelensky urged the United States to sanction Russia.", "2024-03-18").empty());
  CHECK(relations("Indian Prime Minister Narendra Modi landed in Kyiv on Friday.", "2024-08-23")
            .count("visits(Narendra Modi, Ukraine)"));
  CHECK(relations("India buys large amounts of Russian crude.", "2024-05-20")
            .count("trades-with(India, Russia)"));
  CHECK(relations("Turkey sold Bayraktar drones to Ukraine.", "2022-05-20")
            .count("supports(Turkey, Ukraine)"));
  CHECK(relations("Russia sold wheat to Egypt.", "2024-05-20").count("trades-with(Egypt, Russia)"));
}

TEST_CASE("'who heads X' leads; only people lead; 'X-based' is no part of a name") {
  CHECK(relations("Abiy Ahmed, who heads Ethiopia's government, signed the memorandum.",
                  "2024-01-02")
            .count("leads(Abiy Ahmed, Ethiopia)"));
  CHECK(relations("China heads the UN Security Council this month.", "2024-05-20").empty());
  CHECK(relations("Blinken headed to Beijing on Tuesday.", "2024-04-23")
            .count("visits(Antony Blinken, China)"));
  CHECK(relations("Julien Morel, an analyst with the Paris-based Sahel Research Group, said the "
                  "junta was isolated.",
                  "2024-05-20")
            .count("affiliated-with(Julien Morel, Sahel Research Group)"));
}

TEST_CASE("criticism and praise idioms: lashed out at, a protest lodged with, paid tribute to") {
  CHECK(relations("Gustavo Petro lashed out at Donald Trump.", "2025-01-27")
            .count("criticizes(Gustavo Petro, Donald Trump)"));
  CHECK(relations("Pakistan lodged a strong protest with Iran over the strikes.", "2024-01-17")
            .count("criticizes(Pakistan, Iran)"));
  CHECK(relations("Modi paid tribute to Abe.", "2022-07-09")
            .count("praises(Narendra Modi, Shinzo Abe)"));
  CHECK(relations("Sanctions hit Russia hard.", "2024-05-20").empty());
}

TEST_CASE("an unknown minister with no state named: the coordinated title's state, else the dateline's") {
  CHECK(relations("ANKARA (Reuters) - Deputy Foreign Minister Mehmet Kemal Bozay said the talks "
                  "went well.",
                  "2024-05-20")
            .count("affiliated-with(Mehmet Kemal Bozay, Turkey)"));
  CHECK(relations("KHARTOUM/WASHINGTON - Deputy Foreign Minister Mehmet Kemal Bozay said the "
                  "talks went well.",
                  "2024-05-20")
            .empty());
  CHECK(relations("COLOMBO - India's External Affairs Minister S. Jaishankar and Foreign "
                  "Minister Vikram Misri joined the delegation.",
                  "2025-04-05")
            .count("affiliated-with(Vikram Misri, India)"));
  // Heads of government are in the dictionaries; an unknown one is not the dateline's.
  CHECK_FALSE(relations("KAZAN, Russia (AFP) - A thaw began after Prime Minister Rajiv Gandhi "
                        "travelled to Beijing in 1988.",
                        "2024-10-23")
                  .count("leads(Rajiv Gandhi, Russia)"));
}

TEST_CASE("'condemned the attack by Israel' criticises the agent") {
  CHECK(relations("Egypt condemned the attack by Israel on the Rafah crossing.", "2024-05-20")
            .count("criticizes(Egypt, Israel)"));
}

TEST_CASE("blocking, suspending or vetoing an act denies it") {
  CHECK(relations("But Orban blocked a 50 billion euro aid package for Kyiv.", "2023-12-14")
            .count("supports(Viktor Orbán, Ukraine) negated"));
  CHECK(relations("France suspended military aid to Niger.", "2023-08-10")
            .count("supports(France, Niger) negated"));
}

TEST_CASE("'a charge X denies' states the accused's denial beside the claim") {
  const auto r = relations(
      "Sudan's government has accused the UAE of arming the RSF, a charge Abu Dhabi denies.",
      "2025-01-07");
  CHECK(r.count("supports(United Arab Emirates, Rapid Support Forces) attributed"));
  CHECK(r.count("supports(United Arab Emirates, Rapid Support Forces) negated"));
  // A denial by someone else is no denial of the accused.
  CHECK_FALSE(relations("Sudan has accused the UAE of arming the RSF, a charge Egypt rejects.",
                        "2025-01-07")
                  .count("supports(United Arab Emirates, Rapid Support Forces) negated"));
}

TEST_CASE("coordinated signers with a partner after 'with' sign with the partner, not each other") {
  const auto r = relations("Finland and Denmark signed similar agreements with the United States.",
                           "2023-12-18");
  CHECK(r.count("signs-agreement-with(Finland, United States)"));
  CHECK(r.count("signs-agreement-with(Denmark, United States)"));
  CHECK_FALSE(r.count("signs-agreement-with(Denmark, Finland)"));
}

TEST_CASE("a bare surname stays with the person the article talks about most") {
  const auto r = relations(
      "Kim Jong Un arrived in Russia on Tuesday. Kim toured the launch site. "
      "Unification Minister Kim Yung-ho criticised the trip. Hours later Kim and Putin met.",
      "2023-09-13");
  CHECK(r.count("meets-with(Kim Jong Un, Vladimir Putin)"));
  CHECK_FALSE(r.count("meets-with(Kim Yung-ho, Vladimir Putin)"));
}

TEST_CASE("an attack on a state's troops, bases or guards is an attack on the state") {
  CHECK(relations("Boko Haram fighters attacked a Chadian army base.", "2024-11-01")
            .count("attacks(Boko Haram, Chad)"));
  CHECK(relations("Hamas attacked Israeli troops near the border.", "2024-11-01")
            .count("attacks(Hamas, Israel)"));
  // A visit to troops is still no visit to their state.
  CHECK_FALSE(relations("Biden visited U.S. troops in Germany.", "2024-11-01")
                  .count("visits(Joe Biden, United States)"));
}

TEST_CASE("a name described as a group is an organisation; 'that' after the description has it as subject") {
  const auto r = relations(
      "Tehran said it had hit two bases of Jaish al-Adl, a Sunni militant group that has "
      "repeatedly attacked Iranian border guards. Jaish al-Adl denied it.",
      "2024-01-17");
  CHECK(r.count("attacks(Jaish al-Adl, Iran)"));
}

TEST_CASE("'chief economist' and 'head of research' are jobs, not leadership") {
  const auto r = relations(
      "\"Markets will price it,\" said Maria Lopez, chief Latin America economist at Northbridge "
      "Capital Advisors in New York.",
      "2025-02-03");
  CHECK(r.count("affiliated-with(Maria Lopez, Northbridge Capital Advisors)"));
  CHECK_FALSE(r.count("leads(Maria Lopez, Northbridge Capital Advisors)"));
}

TEST_CASE("'X and his Greek counterpart Y' coordinates X and Y") {
  const auto r = relations(
      "Foreign Minister Hakan Fidan and his Greek counterpart Giorgos Gerapetritis signed a "
      "memorandum on a positive agenda.",
      "2023-12-07");
  CHECK(r.count("signs-agreement-with(George Gerapetritis, Hakan Fidan)"));
}

TEST_CASE("a symmetric noun in a list of topics is no act") {
  const auto r = relations(
      "Fidan and Gerapetritis signed 15 agreements covering trade, education and energy.",
      "2023-12-07");
  CHECK_FALSE(r.count("trades-with(George Gerapetritis, Hakan Fidan)"));
}

TEST_CASE("a relative clause between subject and verb is skipped: 'X, whose country ..., met Y'") {
  const auto r = relations(
      "Chad's transitional President, Mahamat Idriss Déby, whose country is not a member of "
      "ECOWAS but shares a long border with Niger, met Bola Tinubu in Abuja.",
      "2023-07-31");
  CHECK(r.count("meets-with(Bola Tinubu, Mahamat Idriss Déby)"));
  CHECK_FALSE(r.count("meets-with(Bola Tinubu, Niger)"));
}

TEST_CASE("ranks and 'executive chairman' are titles, not parts of names") {
  const auto r = relations("Li Qiang met Samsung Electronics Executive Chairman Jay Y. Lee.",
                           "2024-05-27");
  CHECK(r.count("meets-with(Jay Y. Lee, Li Qiang)"));
  CHECK_FALSE(r.count("meets-with(Li Qiang, Samsung Electronics)"));
  CHECK(relations("Li Qiang met Gen Syed Asim Munir.", "2024-05-27")
            .count("meets-with(Asim Munir, Li Qiang)"));
}

TEST_CASE("calls and conversations are meetings; speaking with a person too") {
  const auto r = relations(
      "Antony Blinken spoke by phone with Ilham Aliyev and urged him to halt the offensive, and "
      "he also spoke with Nikol Pashinyan.",
      "2023-09-20");
  CHECK(r.count("meets-with(Antony Blinken, Ilham Aliyev)"));
  CHECK(r.count("meets-with(Antony Blinken, Nikol Pashinyan)"));
  CHECK(relations("Narendra Modi held a brief conversation with Xi Jinping.", "2023-08-24")
            .count("meets-with(Narendra Modi, Xi Jinping)"));
  CHECK(relations("After his second call of the day with Donald Trump, Justin Trudeau spoke.",
                  "2025-02-03")
            .count("meets-with(Donald Trump, Justin Trudeau)"));
  // Reporters are no actor.
  CHECK(relations("Justin Trudeau spoke to reporters in Ottawa.", "2025-02-03").empty());
}

TEST_CASE("training a state's soldiers, equipping its forces and lending it money support it") {
  CHECK(relations("Turkey trains Somali soldiers at its base in Mogadishu.", "2024-01-05")
            .count("supports(Turkey, Somalia)"));
  CHECK(relations("The United Arab Emirates has lent N'Djamena hundreds of millions of dollars.",
                  "2024-11-29")
            .count("supports(United Arab Emirates, Chad)"));
  CHECK(relations("Washington has spent millions training and equipping Nigerien forces.",
                  "2023-07-31")
            .count("supports(United States, Niger)"));
}

TEST_CASE("an unknown name with an apposition only a person fits is a person") {
  const auto r = relations(
      "The United States on Friday sanctioned Bidzina Ivanishvili, the billionaire founder of "
      "Georgia's ruling Georgian Dream party.",
      "2024-12-27");
  CHECK(r.count("sanctions(United States, Bidzina Ivanishvili)"));
  CHECK(relations("Haitian Prime Minister Garry Conille later held talks with Godfrey Otunge, the "
                  "senior Kenyan officer who commands the mission.",
                  "2024-06-26")
            .count("meets-with(Garry Conille, Godfrey Otunge)"));
}

TEST_CASE("'under sanctions imposed by X' is sanctioned by X") {
  const auto r = relations(
      "Russia has been under sanctions imposed by the United States and the European Union.",
      "2023-08-24");
  CHECK(r.count("sanctions(United States, Russia)"));
  CHECK(r.count("sanctions(European Union, Russia)"));
}

TEST_CASE("an object pronoun is the latest other person of the sentence; 'each other' is both ways") {
  const auto r = relations(
      "Cyril Ramaphosa opened the session by congratulating Narendra Modi on the landing of "
      "India's probe near the lunar south pole, and Brazil's President Luiz Inácio Lula da Silva "
      "also congratulated him.",
      "2023-08-24");
  CHECK(r.count("congratulates(Luiz Inácio Lula da Silva, Narendra Modi)"));
  CHECK_FALSE(r.count("congratulates(Luiz Inácio Lula da Silva, Cyril Ramaphosa)"));
  const auto e = relations(
      "Recep Tayyip Erdogan and Kyriakos Mitsotakis congratulated each other on their victories.",
      "2023-12-07");
  CHECK(e.count("congratulates(Recep Tayyip Erdoğan, Kyriakos Mitsotakis)"));
  CHECK(e.count("congratulates(Kyriakos Mitsotakis, Recep Tayyip Erdoğan)"));
}

TEST_CASE("joint exercises 'of' two forces and training alongside are drills") {
  CHECK(relations("Eagle Partner 2023 was a 10-day joint exercise of Armenian and U.S. troops.",
                  "2023-09-20")
            .count("drills-with(Armenia, United States)"));
  const auto r = relations(
      "Swedish troops are training alongside Norwegian and Finnish forces in Nordic Response.",
      "2024-03-07");
  CHECK(r.count("drills-with(Norway, Sweden)"));
  CHECK(r.count("drills-with(Finland, Sweden)"));
}

TEST_CASE("'its war in Ukraine' and Nagorno-Karabakh as a territory") {
  CHECK(relations("North Korea supplies shells to Russia for its war in Ukraine.", "2023-09-13")
            .count("attacks(Russia, Ukraine)"));
  CHECK(relations("Azerbaijan launched a military offensive against the breakaway region of "
                  "Nagorno-Karabakh.",
                  "2023-09-20")
            .count("attacks(Azerbaijan, Nagorno-Karabakh)"));
}

TEST_CASE("'X, head of the Y group'; caretaker office holders; names spelled without hyphens") {
  CHECK(relations("In Russia, Yevgeny Prigozhin, head of the Wagner mercenary group, welcomed "
                  "the coup.",
                  "2023-07-31")
            .count("leads(Yevgeny Prigozhin, Wagner Group)"));
  // The dictionary spells him "Anwaar-ul-Haq Kakar" and lists him as prime minister.
  CHECK(relations("On Friday, caretaker Prime Minister Anwaarul Haq Kakar chaired a meeting.",
                  "2024-01-19")
            .count("leads(Anwaar-ul-Haq Kakar, Pakistan)"));
}

TEST_CASE("a second accusation in the sentence is stated, not a claim inside the first") {
  const auto r = relations(
      "Tehran has accused Islamabad of failing to act against militants, while Pakistan has "
      "accused Iran of giving sanctuary to Baloch separatists.",
      "2024-01-19");
  CHECK(r.count("accuses(Iran, Pakistan)"));
  CHECK(r.count("accuses(Pakistan, Iran)"));
  CHECK_FALSE(r.count("accuses(Pakistan, Iran) attributed"));
}

TEST_CASE("'X remains Y's largest trading partner' is copular too") {
  CHECK(relations("China remains Bangladesh's biggest trading partner.", "2024-06-22")
            .count("trades-with(Bangladesh, China)"));
}

TEST_CASE("a title in another clause after a comma makes no apposition") {
  const auto r = relations(
      "President Andrzej Duda, who was also in New York, did not meet the Ukrainian leader.",
      "2023-09-21");
  CHECK(r.count("meets-with(Andrzej Duda, Volodymyr Zelenskyy) negated"));
  CHECK_FALSE(r.count("leads(New York, Ukraine)"));
}

TEST_CASE("'<Org> chief General X' leads the organisation; the rank adds nothing") {
  const auto r = relations("Pakistan Army chief General Asim Munir visited troops.", "2024-12-28");
  CHECK(r.count("leads(Asim Munir, Pakistan Army)"));
  CHECK_FALSE(r.count("affiliated-with(Asim Munir, Pakistan)"));
  CHECK(relations("Armed Forces of the Philippines chief Gen. Romeo Brawner Jr. said so.",
                  "2024-04-26")
            .count("leads(Romeo Brawner Jr., Armed Forces of the Philippines)"));
  // A portfolio is no organisation.
  CHECK_FALSE(relations("Armed Forces Minister Sébastien Lecornu said so.", "2024-06-17")
                  .count("affiliated-with(Sébastien Lecornu, Armed Forces)"));
}

TEST_CASE("a plural title distributes over its names: in order, or respectively") {
  const auto r = relations(
      "Leftist presidents Gustavo Petro of Colombia, Gabriel Boric of Chile and Andrés Manuel "
      "López Obrador of Mexico also congratulated Lula.",
      "2022-10-31");
  CHECK(r.count("leads(Gabriel Boric, Chile)"));
  CHECK(r.count("leads(Andrés Manuel López Obrador, Mexico)"));
  CHECK(r.count("congratulates(Gustavo Petro, Luiz Inácio Lula da Silva)"));
  CHECK(r.count("congratulates(Gabriel Boric, Luiz Inácio Lula da Silva)"));
  CHECK_FALSE(r.count("congratulates(Mexico, Luiz Inácio Lula da Silva)"));
  const auto q = relations(
      "Cuban President Miguel Díaz-Canel and the presidents of Nicaragua and Bolivia, Daniel "
      "Ortega and Luis Arce, also congratulated Maduro.",
      "2024-07-30");
  CHECK(q.count("leads(Daniel Ortega, Nicaragua)"));
  CHECK(q.count("leads(Luis Arce, Bolivia)"));
  CHECK(q.count("congratulates(Miguel Díaz-Canel, Nicolás Maduro)"));
  CHECK(q.count("congratulates(Luis Arce, Nicolás Maduro)"));
  CHECK_FALSE(q.count("congratulates(Bolivia, Miguel Díaz-Canel)"));
}

TEST_CASE("'headed by X' leads, not a trip; 'arrived in the Serbian capital' visits Serbia") {
  const auto r = relations(
      "The New Development Bank, headed by former Brazilian president Dilma Rousseff, has "
      "promised to lend more.",
      "2023-08-24");
  CHECK(r.count("leads(Dilma Rousseff, New Development Bank)"));
  CHECK_FALSE(r.count("visits(Dilma Rousseff, New Development Bank)"));
  CHECK(relations("The National Electoral Council, headed by Elvis Amoroso, a close Maduro ally, "
                  "declared the result.",
                  "2024-07-30")
            .count("leads(Elvis Amoroso, National Electoral Council)"));
  CHECK(relations("Xi arrived in the Serbian capital late on Tuesday.", "2024-05-08")
            .count("visits(Xi Jinping, Serbia)"));
}

TEST_CASE("an act waged by the antecedent of 'which'; 'is still' is copular") {
  CHECK(relations("The TTP, which has waged an insurgency against Pakistan for years, has "
                  "stepped up attacks.",
                  "2024-12-28")
            .count("attacks(Tehreek-e-Taliban Pakistan, Pakistan)"));
  CHECK(relations("China is still Taiwan's largest trading partner.", "2024-05-21")
            .count("trades-with(China, Taiwan)"));
}

TEST_CASE("'will no longer send weapons' is a negated act, not an intention") {
  CHECK(relations("Poland will no longer send weapons to Ukraine, Prime Minister Mateusz "
                  "Morawiecki said.",
                  "2023-09-21")
            .count("supports(Poland, Ukraine) negated"));
  CHECK(relations("Poland will send weapons to Ukraine.", "2023-09-21").empty());
}

TEST_CASE("an agreement signed in a relative clause: 'the protocol that A and B signed'") {
  CHECK(relations("The delivery follows the defence cooperation protocol that President Abdel "
                  "Fattah al-Sisi and his Somali counterpart Hassan Sheikh Mohamud signed in Cairo.",
                  "2024-08-29")
            .count("signs-agreement-with(Abdel Fattah el-Sisi, Hassan Sheikh Mohamud)"));
}

TEST_CASE("'In Pyongyang, ...' opens with a place, not a name, and gives an unknown minister's state") {
  const auto r = relations("In Pyongyang, Vice Foreign Minister Kim Jong-gyu said it was lawful.",
                           "2024-10-29");
  CHECK(r.count("affiliated-with(Kim Jong-gyu, North Korea)"));
  CHECK_FALSE(relations("In January, President Lai Ching-te met Eric Chu.", "2024-05-21")
                  .count("leads(Eric Chu, In January)"));
  CHECK(relations("China, including Hong Kong, is still Taiwan's largest trading partner.",
                  "2024-05-21")
            .count("trades-with(China, Taiwan)"));
}

TEST_CASE("a subject 'it' after a clause is the sentence's opening subject, not a speaker inside a relative") {
  CHECK(relations("Serbia has been a candidate for EU membership since 2012, but it has refused to "
                  "impose sanctions on Russia.",
                  "2024-05-08")
            .count("sanctions(Serbia, Russia) negated"));
  CHECK_FALSE(relations("The Treasury Department also sanctioned seven companies that it said had "
                        "supplied the RSF with weapons.",
                        "2025-01-07")
                  .count("supports(United States, Rapid Support Forces)"));
}

TEST_CASE("strikes on targets: counted targets, 'what it called', 'hideouts of' a group, hitting") {
  const auto r = relations("Turkish warplanes and drones struck dozens of targets in northern Iraq "
                           "and Syria overnight.",
                           "2024-10-25");
  CHECK(r.count("attacks(Turkey, Iraq)"));
  CHECK(r.count("attacks(Turkey, Syria)"));
  CHECK(relations("The National Intelligence Organization carried out drone strikes on what it "
                  "called PKK energy facilities in Syria.",
                  "2024-10-25")
            .count("attacks(National Intelligence Organization, PKK)"));
  CHECK(relations("Pakistan carried out strikes on Iranian soil, hitting what it described as "
                  "hideouts of the Balochistan Liberation Army.",
                  "2024-01-19")
            .count("attacks(Pakistan, Balochistan Liberation Army)"));
}

TEST_CASE("a parenthesised acronym names its organisation later; 'the North' is North Korea") {
  CHECK(relations("The National Electoral Council (CNE) declared Maduro the winner. Opposition "
                  "leader María Corina Machado accused the CNE of fraud.",
                  "2024-07-30")
            .count("accuses(María Corina Machado, National Electoral Council)"));
  const auto r = relations("North Korea denied it. South Korea and the United States have also "
                           "accused the North of supplying Russia with shells.",
                           "2024-10-29");
  CHECK(r.count("accuses(South Korea, North Korea)"));
  CHECK(r.count("supports(North Korea, Russia) attributed"));
}

TEST_CASE("a leader's adviser serves the leader's state") {
  CHECK(relations("Lula's chief foreign policy adviser Celso Amorim met Maduro on Monday.",
                  "2024-07-30")
            .count("affiliated-with(Celso Amorim, Brazil)"));
}

TEST_CASE("'Sheikh' before a longer dictionary name; fighting for a state; 'denied that' negates") {
  const auto r = relations("Qatari Prime Minister Sheikh Mohammed bin Abdulrahman Al Thani met CIA "
                           "Director William Burns and Mossad chief David Barnea in Doha.",
                           "2024-01-10");
  CHECK(r.count("meets-with(Mohammed bin Abdulrahman Al Thani, William Burns)"));
  CHECK(r.count("meets-with(David Barnea, Mohammed bin Abdulrahman Al Thani)"));
  CHECK(relations("Dmitry Peskov has denied that North Korean soldiers were fighting for Russia.",
                  "2024-10-29")
            .count("supports(North Korea, Russia) negated"));
}

TEST_CASE("travelling to a major city visits its state") {
  CHECK(relations("Foreign Minister Sergei Lavrov travelled to Johannesburg in his place.",
                  "2023-08-24")
            .count("visits(Sergei Lavrov, South Africa)"));
  // A city is still no actor (a capital is: "Beijing criticised Washington").
  CHECK_FALSE(relations("Shanghai criticised Washington over the tariffs.", "2024-03-07")
                  .count("criticizes(China, United States)"));
  CHECK(relations("Beijing criticised Washington over the tariffs.", "2024-03-07")
            .count("criticizes(China, United States)"));
}

TEST_CASE("long party phrases, 'still imports' as a verb, and 'partner of both X and Y'") {
  CHECK(relations("The dispute began when Ethiopia signed a memorandum of understanding with the "
                  "breakaway region of Somaliland.",
                  "2024-01-05")
            .count("signs-agreement-with(Ethiopia, Somaliland)"));
  const auto r = relations("Belgrade has refused to join EU sanctions against Russia and still "
                           "imports most of its natural gas from Russia.",
                           "2024-10-10");
  CHECK(r.count("trades-with(Russia, Serbia)"));
  const auto t = relations("China is the largest trading partner of both Japan and South Korea.",
                           "2024-05-27");
  CHECK(t.count("trades-with(China, Japan)"));
  CHECK(t.count("trades-with(China, South Korea)"));
  CHECK(relations("Russia has long been India's largest supplier of arms.", "2024-07-09")
            .count("supports(Russia, India)"));
}

TEST_CASE("'the winner' is the article's main person; 'his rival' the latest other one") {
  CHECK(relations("Luiz Inácio Lula da Silva won the runoff. Gustavo Petro congratulated the winner.",
                  "2022-10-31")
            .count("congratulates(Gustavo Petro, Luiz Inácio Lula da Silva)"));
  CHECK(relations("Luiz Inácio Lula da Silva narrowly defeated Jair Bolsonaro. Bolsonaro had "
                  "neither conceded nor congratulated his rival.",
                  "2022-10-31")
            .count("congratulates(Jair Bolsonaro, Luiz Inácio Lula da Silva) negated"));
}

TEST_CASE("a noun further down a list of things discussed is a topic") {
  const auto r = relations("Antony Blinken and Ulf Kristersson met privately to discuss security "
                           "in the Baltic Sea region and support for Ukraine.",
                           "2024-03-07");
  CHECK(r.count("supports(Antony Blinken, Ukraine)") == 0);
  CHECK(r.count("meets-with(Antony Blinken, Ulf Kristersson)"));  // the sentence is still read
}

TEST_CASE("an object 'them' is the latest list of actors, not the sentence's own subjects") {
  const auto r = relations("North Korea's foreign ministry denounced the United States, Japan and "
                           "South Korea over the drills, accusing them of building an Asian NATO.",
                           "2024-06-30");
  CHECK(r.count("accuses(North Korea, Japan)"));
  CHECK(r.count("accuses(North Korea, United States)"));
  CHECK_FALSE(relations("Mali and Burkina Faso have said any intervention in Niger would be "
                        "treated as a declaration of war against them.",
                        "2023-08-01")
                  .count("attacks(Burkina Faso, Mali)"));
}

TEST_CASE("a sentence-initial 'Its' is the previous sentence's opening actor") {
  const auto r = relations(
      "Somaliland, a former British protectorate of about 4.5 million people, declared "
      "independence from Somalia in 1991. Its foreign minister, Essa Kayd, hailed the agreement.",
      "2024-01-02");
  CHECK(r.count("affiliated-with(Essa Kayd, Somaliland)"));
  CHECK_FALSE(r.count("affiliated-with(Essa Kayd, United Kingdom)"));
  CHECK(relations("Beijing's Taiwan Affairs Office reacted within hours. Its spokesman Chen Binhua "
                  "accused Lai Ching-te of separatism.",
                  "2024-05-21")
            .count("affiliated-with(Chen Binhua, Taiwan Affairs Office)"));
}

TEST_CASE("an unknown spokesperson or cabinet secretary serves the dateline's state; 'his spokesman' the person's") {
  CHECK(relations("ISLAMABAD: Spokesperson Mumtaz Zahra Baloch told the weekly briefing that "
                  "Pakistan prefers dialogue.",
                  "2024-12-28")
            .count("affiliated-with(Mumtaz Zahra Baloch, Pakistan)"));
  CHECK(relations("ABU DHABI // Antony Blinken spoke on Monday. His spokesman, Matthew Miller, "
                  "told reporters the department was reviewing other cases.",
                  "2024-02-02")
            .count("affiliated-with(Matthew Miller, United States)"));
}

TEST_CASE("a person who chairs an organisation leads it; 'his special adviser' serves his state") {
  CHECK(relations("Malaysian Prime Minister Anwar Ibrahim, who chairs Asean this year, spoke by "
                  "phone with Hun Manet.",
                  "2025-07-25")
            .count("leads(Anwar Ibrahim, ASEAN)"));
  CHECK(relations("Brazilian President Luiz Inácio Lula da Silva sent his special adviser Celso "
                  "Amorim to the talks.",
                  "2023-12-14")
            .count("affiliated-with(Celso Amorim, Brazil)"));
}

TEST_CASE("an old year in a trailing relative clause leaves the acts before it") {
  const auto r = relations(
      "Biden also hosted Australian Prime Minister Anthony Albanese at his home before the "
      "leaders met at Archmere Academy, the school from which he graduated in 1961.",
      "2024-09-22");
  CHECK(r.count("meets-with(Anthony Albanese, Joe Biden)"));
  // A year the whole sentence recounts still discards it.
  CHECK(relations("Biden hosted Albanese at his home in 1988.", "2024-09-22").empty());
}

TEST_CASE("'refrained from' negates; trading missile attacks is no trade") {
  CHECK(relations("Macron refrained from criticising Moscow by name.", "2023-11-02")
            .count("criticizes(Emmanuel Macron, Russia) negated"));
  const auto r = relations("Iran and Israel traded missile and air attacks on Friday.", "2025-06-13");
  for (const auto& line : r) CHECK(line.rfind("trades-with", 0) != 0);
}

TEST_CASE("an unknown minister serves the state he speaks for; 'National Security Minister' is a title") {
  CHECK(relations("Deputy Foreign Minister Alexander Grushko said Russia would strengthen its "
                  "forces near the border.",
                  "2023-04-04")
            .count("affiliated-with(Alexander Grushko, Russia)"));
  const auto r = relations("Britain imposed sanctions on Israeli National Security Minister "
                           "Itamar Ben-Gvir.",
                           "2025-06-11");
  CHECK(r.count("sanctions(United Kingdom, Itamar Ben-Gvir)"));
  CHECK_FALSE(r.count("sanctions(United Kingdom, Israel)"));
}

TEST_CASE("those joined 'in imposing' sanctions impose them; the people named after 'two of X's ministers'") {
  const auto r = relations(
      "New Zealand has joined Britain, Canada and Norway in imposing travel bans and asset "
      "freezes on two of Israel's most senior ministers, National Security Minister Itamar "
      "Ben-Gvir and Finance Minister Bezalel Smotrich.",
      "2025-06-11");
  for (const char* s : {"New Zealand", "United Kingdom", "Canada", "Norway"})
    for (const char* o : {"Itamar Ben-Gvir", "Bezalel Smotrich"})
      CHECK(r.count(std::string("sanctions(") + s + ", " + o + ")"));
  CHECK_FALSE(r.count("sanctions(Canada, Israel)"));
}

TEST_CASE("a zero relative signs its agreement; a statement signed by a spokesman is no agreement") {
  CHECK(relations("Australia will come to Tuvalu's aid under a treaty the two countries signed "
                  "in Rarotonga.",
                  "2023-11-10")
            .count("signs-agreement-with(Australia, Tuvalu)"));
  const auto r = relations("Nigeria's President Bola Tinubu congratulated Senegal's Bassirou "
                           "Diomaye Faye in a statement signed by his spokesman, Ajuri Ngelale.",
                           "2024-03-26");
  CHECK(r.count("congratulates(Bola Tinubu, Bassirou Diomaye Faye)"));
  for (const auto& line : r) CHECK(line.rfind("signs-agreement-with", 0) != 0);
}

TEST_CASE("buyers and suppliers of goods trade; 'X's largest trading partner remains Y'") {
  CHECK(relations("India is the largest buyer of Russian seaborne crude.", "2025-10-23")
            .count("trades-with(India, Russia)"));
  CHECK(relations("Kazakhstan is one of France's main suppliers of uranium.", "2023-11-02")
            .count("trades-with(France, Kazakhstan)"));
  CHECK(relations("Australia's largest trading partner remains China.", "2024-09-22")
            .count("trades-with(Australia, China)"));
}

TEST_CASE("a person's party is one the person belongs to; leading a named party leads it") {
  CHECK(relations("Finland's election was won by Petteri Orpo's National Coalition Party.",
                  "2023-04-04")
            .count("affiliated-with(Petteri Orpo, National Coalition Party)"));
  CHECK(relations("Kishida steps down next week after his Liberal Democratic Party picks a new "
                  "leader.",
                  "2024-09-22")
            .count("affiliated-with(Fumio Kishida, Liberal Democratic Party)"));
  const auto r = relations("Ben-Gvir leads the far-right Jewish Power party, and Smotrich heads "
                           "the Religious Zionism party.",
                           "2025-06-11");
  CHECK(r.count("leads(Itamar Ben-Gvir, Jewish Power)"));
  CHECK(r.count("leads(Bezalel Smotrich, Religious Zionism)"));
}

TEST_CASE("Brussels speaks for the EU but is no state visited; 'the Saudi port city' is Saudi Arabia") {
  CHECK(relations("Washington, Brussels and London unveiled hundreds of new sanctions against "
                  "Russia.",
                  "2024-02-23")
            .count("sanctions(European Union, Russia)"));
  for (const auto& line : relations("President Sauli Niinistö, who travelled to Brussels for the "
                                    "ceremony, watched the flag go up.",
                                    "2023-04-04"))
    CHECK(line.rfind("visits", 0) != 0);
  CHECK(relations("Zelensky landed in the Saudi port city in the morning.", "2023-05-19")
            .count("visits(Volodymyr Zelenskyy, Saudi Arabia)"));
  // A demonym before another noun is still no place reached.
  const auto r = relations("Maduro arrived in a Venezuelan military jet.", "2024-01-10");
  for (const auto& line : r) CHECK(line.rfind("visits", 0) != 0);
}

TEST_CASE("the agent of a passive may follow a place: 'received at the headquarters of ... by X'") {
  CHECK(relations("Biden was received at the headquarters of the Communist Party of Vietnam by "
                  "General Secretary Nguyen Phu Trong.",
                  "2023-09-10")
            .count("meets-with(Joe Biden, Nguyễn Phú Trọng)"));
}

TEST_CASE("a quotation that names something does not end the clause; 'telephoned Mr X to congratulate him'") {
  const auto r = relations("Tuvalu's Prime Minister Kausea Natano spoke on Friday. Mr Natano "
                           "described the pact as \"a beacon of hope\" and praised Australia.",
                           "2023-11-10");
  CHECK(r.count("praises(Kausea Natano, Australia)"));
  const auto c = relations("Senegal's Bassirou Diomaye Faye won. The ruling coalition's candidate, "
                           "former Prime Minister Amadou Ba, conceded defeat on Monday evening and "
                           "telephoned Mr Faye to congratulate him.",
                           "2024-03-26");
  CHECK(c.count("congratulates(Amadou Ba, Bassirou Diomaye Faye)"));
  CHECK_FALSE(c.count("congratulates(Bassirou Diomaye Faye, Amadou Ba)"));
}

TEST_CASE("who takes part in a named exercise drills; missiles launched towards a state attack it") {
  const auto r = relations("Finnish soldiers took part in the alliance's Cold Response exercise in "
                           "Norway last spring together with Norwegian, American and British forces.",
                           "2023-04-04");
  CHECK(r.count("drills-with(Finland, Norway)"));
  CHECK(r.count("drills-with(Finland, United States)"));
  CHECK(r.count("drills-with(Finland, United Kingdom)"));
  CHECK(relations("Iran launched about 100 drones towards Israel.", "2025-06-13")
            .count("attacks(Iran, Israel)"));
}

TEST_CASE("'the two sides' right after a meeting are the meeting's two sides") {
  const auto r = relations("Uzbekistan's President Shavkat Mirziyoyev will host Macron next. Kazakh "
                           "President Kassym-Jomart Tokayev held talks with French President "
                           "Emmanuel Macron in Astana on Wednesday, and the two sides signed a "
                           "roadmap on critical raw materials.",
                           "2023-11-02");
  CHECK(r.count("signs-agreement-with(France, Kazakhstan)"));
  CHECK_FALSE(r.count("signs-agreement-with(Kazakhstan, Uzbekistan)"));
}

TEST_CASE("storming a state's territory attacks it") {
  CHECK(relations("Hamas gunmen stormed southern Israel at dawn.", "2023-10-08")
            .count("attacks(Hamas, Israel)"));
}

TEST_CASE("a meeting someone is scheduled or due to hold has not happened") {
  const auto r = relations("Xi was also scheduled to meet Japanese Prime Minister Fumio Kishida on "
                           "Thursday.",
                           "2023-11-16");
  for (const auto& line : r) CHECK(line.rfind("meets-with", 0) != 0);
  const auto due = relations("Erdogan is due to travel on to Erbil on Monday evening to meet "
                             "Kurdistan Region President Nechirvan Barzani.",
                             "2024-04-22");
  CHECK(due.count("leads(Nechirvan Barzani, Kurdistan Region)"));
  for (const auto& line : due)
    CHECK((line.rfind("visits", 0) != 0 && line.rfind("meets-with", 0) != 0));
}

TEST_CASE("congratulations sent to no one named go to the article's congratulated person") {
  const auto r = relations("Prabowo Subianto won the election. Biden congratulated him. Chinese "
                           "President Xi Jinping and Japanese Prime Minister Fumio Kishida also "
                           "sent messages of congratulation.",
                           "2024-02-16");
  CHECK(r.count("congratulates(Xi Jinping, Prabowo Subianto)"));
  CHECK(r.count("congratulates(Fumio Kishida, Prabowo Subianto)"));
  // Nobody congratulated yet: nobody to send them to.
  CHECK(relations("Xi Jinping sent a message of congratulation.", "2024-02-16").count(
            "congratulates(Xi Jinping, Prabowo Subianto)") == 0);
}

TEST_CASE("a possessive pronoun before a quoted word owns it: 'to his \"friend\" Trump'") {
  CHECK(relations("Indian Prime Minister Narendra Modi sent his \"heartiest congratulations\" to "
                  "his \"friend\" Trump.",
                  "2024-11-07")
            .count("congratulates(Narendra Modi, Donald Trump)"));
}

TEST_CASE("Santiago speaks for Chile; the Cook Islands are a state with a prime minister") {
  CHECK(relations("Venezuelan Foreign Minister Yván Gil accused Buenos Aires and Santiago of "
                  "meddling.",
                  "2024-08-01")
            .count("accuses(Yván Gil, Chile)"));
  CHECK(relations("The forum's chair, Cook Islands Prime Minister Mark Brown, welcomed the treaty.",
                  "2023-11-10")
            .count("leads(Mark Brown, Cook Islands)"));
}

TEST_CASE("a capitalised preposition starts no name; 'Mr.' does not end a phrase") {
  const auto r = relations("In New Delhi, the opposition Congress party attacked the deal. Its "
                           "general secretary Jairam Ramesh criticised Mr. Modi for celebrating it.",
                           "2025-07-24");
  CHECK(r.count("criticizes(Jairam Ramesh, Narendra Modi)"));
  for (const auto& line : r) CHECK(line.find("In New Delhi") == std::string::npos);
  CHECK(relations("Mr. Modi said in his press statement, praising Mr. Starmer for his commitment.",
                  "2025-07-24")
            .count("praises(Narendra Modi, Keir Starmer)"));
}

TEST_CASE("'avoided criticizing' and ', but did not condemn' negate; 'Head of Government' leads") {
  CHECK(relations("Marcos, however, avoided criticizing China by name during the visit.",
                  "2024-01-30")
            .count("criticizes(Ferdinand Marcos Jr., China) negated"));
  CHECK(relations("UN Secretary-General Antonio Guterres deplored the escalation, but did not "
                  "condemn Iran by name.",
                  "2024-10-02")
            .count("criticizes(António Guterres, Iran) negated"));
  CHECK(relations("Macron also met Moroccan Head of Government Aziz Akhannouch.", "2024-10-29")
            .count("leads(Aziz Akhannouch, Morocco)"));
}

TEST_CASE("'Brazil's Lula, Chile's Boric' are the people; 'In South America,' and 'the Mexico City mayor' are no actors") {
  const auto r = relations("Biden congratulated Claudia Sheinbaum. In South America, Brazil's Luiz "
                           "Inácio Lula da Silva and Chile's Gabriel Boric sent their "
                           "congratulations to the former Mexico City mayor.",
                           "2024-06-03");
  CHECK(r.count("congratulates(Luiz Inácio Lula da Silva, Claudia Sheinbaum)"));
  CHECK(r.count("congratulates(Gabriel Boric, Claudia Sheinbaum)"));
  for (const auto& line : r) {
    CHECK(line.find("South America") == std::string::npos);
    CHECK(line.find("congratulates(Brazil") == std::string::npos);
    CHECK(line.find(", Mexico)") == std::string::npos);
  }
}

TEST_CASE("everyone in one exercise drills with everyone, its leader too; buying weapons from a state is its support") {
  const auto r = relations("Japanese warships joined the U.S.-led RIMPAC exercise off Hawaii this "
                           "summer alongside South Korean and Australian vessels.",
                           "2024-09-10");
  for (const char* pair : {"Australia, Japan", "Australia, South Korea", "Australia, United States",
                           "Japan, South Korea", "Japan, United States", "South Korea, United States"})
    CHECK(r.count(std::string("drills-with(") + pair + ")"));
  CHECK(relations("Pakistan and Saudi Arabia signed a defence pact. The two armies also hold "
                  "regular joint exercises.",
                  "2025-09-18")
            .count("drills-with(Pakistan, Saudi Arabia)"));
  const auto b = relations("Poland has bought most of its heavy weapons in recent years from the "
                           "United States and South Korea.",
                           "2025-05-09");
  CHECK(b.count("supports(United States, Poland)"));
  CHECK(b.count("supports(South Korea, Poland)"));
}

TEST_CASE("a ministry named without its state is the state's office; 'Iran's leaders' stand for Iran") {
  const auto r = relations("In New Delhi, Ministry of External Affairs spokesperson Randhir Jaiswal "
                           "said the government would study the implications.",
                           "2025-09-18");
  CHECK(r.count("affiliated-with(Randhir Jaiswal, India)"));
  const auto l = relations("In his forum speech, Mr Trump also criticised Iran's leaders for "
                           "stealing their own people's wealth.",
                           "2025-05-14");
  CHECK(l.count("criticizes(Donald Trump, Iran)"));
  for (const auto& line : l) CHECK(line.find("Khamenei") == std::string::npos);
}

TEST_CASE("an organisation's name ends at its head word when another name follows 'and'") {
  CHECK(relations("In a separate ceremony, the Philippine Coast Guard and the Vietnam Coast Guard "
                  "signed a memorandum of understanding on incident prevention.",
                  "2024-01-30")
            .count("signs-agreement-with(Philippine Coast Guard, Vietnam Coast Guard)"));
  CHECK(relations("The Philippine Coast Guard and Vietnam condemned Russia.", "2024-01-30")
            .count("criticizes(Vietnam, Russia)"));
  // A name with "and" inside stays whole.
  CHECK(relations("The International Bank for Reconstruction and Development lent money to Kenya.",
                  "2024-01-30")
            .count("supports(International Bank for Reconstruction and Development, Kenya)"));
}

TEST_CASE("calling on a person is a meeting; calling on someone to act is an appeal") {
  CHECK(relations("Later in the day, Mr. Modi called on King Charles III at Sandringham estate.",
                  "2025-07-24")
            .count("meets-with(Charles III, Narendra Modi)"));
  for (const auto& line : relations("Zelensky called on Trump to keep up aid.", "2025-07-24"))
    CHECK(line.rfind("meets-with", 0) != 0);
}

TEST_CASE("more acts from the n-set: shooting down, support behind, chairmanships, 'trading partner after X'") {
  CHECK(relations("Relations sank after Algerian air defences shot down a Malian military drone.",
                  "2025-04-08")
            .count("attacks(Algeria, Mali)"));
  CHECK(relations("Mr Sogavare withdrew and threw his support behind Mr Jeremiah Manele.",
                  "2024-05-03")
            .count("supports(Manasseh Sogavare, Jeremiah Manele)"));
  CHECK(relations("Malaysian Prime Minister Anwar Ibrahim, who holds the rotating chairmanship of "
                  "ASEAN this year, spoke by phone with Min Aung Hlaing.",
                  "2025-04-02")
            .count("leads(Anwar Ibrahim, ASEAN)"));
  CHECK(relations("Germany is the UK's second-largest trading partner after the United States.",
                  "2024-10-23")
            .count("trades-with(United Kingdom, United States)"));
  CHECK(relations("UN Special Rapporteur Tom Andrews condemned the bombing.", "2025-04-02")
            .count("affiliated-with(Tom Andrews, United Nations)"));
  // "them" is never the subjects themselves.
  for (const auto& line : relations("Polish and Dutch fighters, supported by Italian aircraft and "
                                    "NATO tankers, shot down several of them.",
                                    "2025-09-12"))
    CHECK(line.find("attacks(Italy, NATO)") == std::string::npos);
}

TEST_CASE("'signed no agreement' negates; the Gulf of Oman is water; nobody visits their own state") {
  CHECK(relations("Jakarta has signed no comparable defense agreement with Beijing.", "2024-08-29")
            .count("signs-agreement-with(China, Indonesia) negated"));
  const auto d = relations("Last month Iranian, Russian and Chinese warships held joint naval "
                           "drills in the Gulf of Oman.",
                           "2025-04-12");
  CHECK(d.count("drills-with(Iran, Russia)"));
  for (const auto& line : d) CHECK(line.find("Oman") == std::string::npos);
  const auto v = relations("President Luiz Inácio Lula da Silva and French President Emmanuel "
                           "Macron on Thursday closed a three-day state visit to Brazil.",
                           "2024-03-28");
  CHECK(v.count("visits(Emmanuel Macron, Brazil)"));
  CHECK_FALSE(v.count("visits(Luiz Inácio Lula da Silva, Brazil)"));
}

TEST_CASE("companies named after 'two of Russia's biggest oil producers,' are the ones sanctioned") {
  const auto r = relations("Britain and the United States imposed sanctions on two of Russia's "
                           "biggest oil producers, Gazprom Neft and Surgutneftegas.",
                           "2025-01-16");
  for (const char* s : {"United Kingdom", "United States"})
    for (const char* o : {"Gazprom Neft", "Surgutneftegas"})
      CHECK(r.count(std::string("sanctions(") + s + ", " + o + ")"));
  CHECK_FALSE(r.count("sanctions(United Kingdom, Russia)"));
}
