# ruff: noqa: E501  (one query a line: the data reads best unwrapped)
"""Benchmarks: writes queries.jsonl next to this file: the known-item development set, written before any tuning.

Every entry: the query as a journalist would type it, its kind, and its target turn (corpus folder name, file
relative to it, a snippet of the target's question or answer text). Every third-ish query of each kind (30%)
is held out: never looked at while tuning.
"""
import json
from pathlib import Path

WH = "whitehouse/press-briefings/"
PC = "whitehouse-press-conferences/"
H20 = "whitehouse-2020-html/"
OB = "whitehouse-obama-2009-2016/"
C, M = "corpus", "corpus-more"
E = []
def add(kind, q, corpus, file, snippet, split=None):
    E.append((kind, q, corpus, file, snippet, split))

# ---- speaker_topic: an official's name plus the topic
k = "speaker_topic"
add(k, "Psaki on baby formula shortage", C, WH + "2022-05/2022-05-09-press-briefing-by-press-secretary-jen-psaki-may-9-2022.md", "There’s about 40 percent shortage right now")
add(k, "Zhao Lijian THAAD replacement missiles", C, "mfa/t1784166.html", "brought replacement THAAD missiles to a base in the ROK")
add(k, "Hua Chunying Pottinger May Fourth", C, "mfa/t1776657.html", "the heirs of May Fourth are civic-minded citizens")
add(k, "Geng Shuang Pompeo China didn't put out information in a timely fashion", C, "mfa/t1771576.html", "didn't put information out into the international space")
add(k, "Kirby North Korea money to help Russia sanctions", C, WH + "2023-01/2023-01-20-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-8.md", "How do you judge where they’re getting money to help Russia")
add(k, "Kirby Rafah operation impact on ceasefire talks", C, WH + "2024-05/2024-05-09-on-the-record-press-gaggle-by-white-house-national-security-communications-advisor-john-kirby-11.md", "how do you think the Rafah operation so far has impacted the ceasefire talks")
add(k, "Jean-Pierre migrants bused to VP residence", C, WH + "2022-09/2022-09-15-press-briefing-by-press-secretary-karine-jean-pierre-september-15-2022.md", "there were some that showed up at the VP’s Residence earlier this morning")
add(k, "Karine Jean-Pierre Gallup poll confidence in government", C, WH + "2023-07/2023-07-05-press-briefing-by-press-secretary-karine-jean-pierre-41.md", "only 31 percent of Americans have confidence in the U.S. government")
add(k, "Jen Psaki Texas Rangers stadium full capacity", C, WH + "2021-04/2021-04-01-press-briefing-by-press-secretary-jen-psaki-april-1-2021.md", "critical of the Texas Rangers reopening their stadium at full capacity")
add(k, "Psaki child tax credit parents outside the tax system", C, WH + "2021-07/2021-07-15-press-briefing-by-press-secretary-jen-psaki-and-surgeon-general-dr-vivek-h-murthy-july-15-2021.md", "qualify for the Child Tax Credit but are outside of the tax system")
add(k, "Jha masking on planes vaccine requirements", C, WH + "2022-12/2022-12-15-press-briefing-by-press-secretary-karine-jean-pierre-10.md", "are you considering a return to other restrictions")
add(k, "Lu Kang Hambantota port debt trap", C, "mfa/t1573668.html", "hand over the Hambantota Port to it with")
add(k, "Geng Shuang Kiribati Taiwan diplomatic ties", C, "mfa/t1699827.html", "the Kiribati government announced in a statement its decision")
add(k, "Hua Chunying INF treaty multilateral NATO", C, "mfa/t1610459.html", "the INF Treaty should be changed into a multilateral deal")
add(k, "Lu Kang Kim Jong Un birthday", C, "mfa/t1627900.html", "Today is the birthday of DPRK leader Kim Jong Un")
add(k, "Michael Regan lead pipes Chicago final rule", C, WH + "2024-10/2024-10-08-white-house-press-call-by-deputy-chief-of-staff-natalie-quillian-epa-administrator-michael-regan-and-a-senior-administration-official-previewing-the-president-trip-to-wisconsin.md", "having lead pipes possibly for 40 or 50 years")
add(k, "Kirby Putin Lukashenko Belarus uprising", C, WH + "2023-06/2023-06-26-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-17.md", "on the relationship between Putin and Lukashenko")
add(k, "Zhao Lijian Kovrig Spavor death penalty", C, "mfa/t1790521.html", "the charges against Michael Kovrig and Michael Spavor")
add(k, "Earnest Doctors Without Borders independent investigation", M, OB + "195.html", "Doctors Without Borders has raised concerns that the investigation")
add(k, "Carney MERS cases Florida health care workers", M, OB + "483.html", "these cases of MERS that have come out of Saudi Arabia")
add(k, "Harris Afghanistan women and girls after August 31 deadline", M, PC + "2021-08-26-remarks-by-vice-president-harris-in-press-conference-in-hanoi-vietnam.md", "continue helping at-risk women and girls")
add(k, "Granholm strategic oil reserve million barrels a day", M, PC + "2023-01-23-press-briefing-by-press-secretary-karine-jean-pierre-and-secretary-of-energy-jennifer-granholm-2.md", "When the President did release the strategic oil reserves")
add(k, "Regan coal plants shut down timeline", M, PC + "2022-02-17-press-gaggle-by-principal-deputy-press-secretary-karine-jean-pierre-and-environmental-protection-agency-administrator-michael-regan.md", "What timeline do you see the remaining U.S. coal plants getting shut down")

# ---- who_asked: the outlet that asked plus the topic
k = "who_asked"
add(k, "Reuters asked about Huawei Meng Wanzhou", C, "mfa/t1790521.html", "This comes quite soon after developments in Meng Wanzhou's case")
add(k, "AFP question nuclear disarmament talks Russia US", C, "mfa/t1789509.html", "upcoming nuclear disarmament talks between Russia and the US")
add(k, "Bloomberg asked about the G20 and the oil market", C, "mfa/t1767488.html", "expected G20 actions on the global oil market")
add(k, "RIA Novosti Barr Apple data centers", C, "mfa/t1780716.html", "relocate data centers and boost surveillance capabilities")
add(k, "The Paper Canadian ambassador Barton review of WHO", C, "mfa/t1779579.html", "Dominic Barton told a session of the Canadian International Council")
add(k, "CCTV question on UN assessed contributions", C, "mfa/t1777215.html", "43 countries including China have paid their assessed contributions")
add(k, "Beijing Daily Zakharova Hong Kong", C, "mfa/t1786290.html", "Zakharova said at a press conference yesterday")
add(k, "China Review News medical teams Chinese model", C, "mfa/t1767935.html", "to which countries has China sent medical teams so far")
add(k, "Beijing Media Network Myanmar fast lane", C, "mfa/t1789003.html", "fast lane for essential travels between the two sides")
add(k, "Australian Broadcasting Corporation cyber attack ASPI", C, "mfa/t1790521.html", "clarify something on my earlier question about the Australian cyber attack")
add(k, "BBC asked which memorandum BNO passport", C, "mfa/t1794266.html", "what memorandum you are referring to")
add(k, "Reuters Indian army disengage troops", C, "mfa/t1791668.html", "both sides agreed to disengage the troops in the disputed areas")
add(k, "NBC News question Hong Kong national security law relations with the US", C, "mfa/t1794266.html", "Is China concerned about the impact of the Hong Kong national security law")
add(k, "China National Radio Science paper Wuhan travel ban", C, "mfa/t1764777.html", "without the Wuhan travel ban and the national emergency response")
add(k, "The Paper asked about the Li Wenliang bill", C, "mfa/t1765751.html", "Cotton and Hawley introduced a bill named after Li Wenliang")
add(k, "CCTV Xinjiang documentary CGTN", C, "mfa/t1790521.html", "Tianshan Still Standing")
add(k, "AFP consequences Uyghur Human Rights Policy Act", C, "mfa/t1790023.html", "Can you give us details on what these consequences might be")
add(k, "Nanfang Metropolis Daily summer crackdown", C, "scio/2023-11-05-safeguarding-public-safety-page-1.txt", "The recently concluded summer crackdown campaign by the public security departments")
add(k, "Poster News environmental crimes", C, "scio/2023-11-05-safeguarding-public-safety-page-1.txt", "As a main force in safeguarding ecological security")
add(k, "BBC Navarro China sent people to spread the virus", C, "mfa/t1791668.html", "sent hundreds of thousands of people to this country to spread this virus")
add(k, "Kyodo G7 foreign ministers statement Hong Kong", C, "mfa/t1790023.html", "The G7 Foreign Ministers' Statement on Hong Kong was released today")
add(k, "The Paper Unit 731 document Japanese scholar", C, "mfa/t1792107.html", "Katsuo Nishiyama, a Japanese scholar")

# ---- question: a whole question as people type it
k = "question"
add(k, "what did the spokesperson say about the trade war truce", C, "mfa/t1561142.html", "just represents a temporary truce")
add(k, "what did China say about the US not sending anyone senior to the import expo in Shanghai?", C, "mfa/t1712652.html", "will not be sending any high-level representatives to the second China International Import Expo")
add(k, "is China still buying oil from Iran despite the sanctions?", C, "mfa/t1673682.html", "China is still buying fuel from Iran despite possible US sanctions")
add(k, "has the President used ChatGPT?", C, WH + "2023-05/2023-05-04-press-briefing-by-press-secretary-karine-jean-pierre-nsc-coordinator-for-strategic-communications-john-kirby-and-omb-director-shalanda-young.md", "the President has been extensively briefed on ChatGP")
add(k, "was the White House blindsided by Sinema's stance?", C, WH + "2021-10/2021-10-21-press-briefing-by-principal-deputy-press-secretary-karine-jean-pierre-2.md", "is it safe to say the White House was not blindsided by her stance")
add(k, "will the US also send depleted uranium ammo for the Bradleys?", C, WH + "2023-01/2023-01-25-background-press-call-by-senior-administration-officials-on-u-s-support-to-ukraine.md", "depleted uranium ammo for the Bradleys")
add(k, "does reopening put places with low vaccination like the Bronx at risk?", C, WH + "2021-06/2021-06-17-press-briefing-by-white-house-covid-19-response-team-and-public-health-officials-41.md", "the Bronx, for example, has around 40 percent vaccination")
add(k, "why are these tariffs not inflationary?", C, WH + "2024-05/2024-05-13-background-press-call-by-national-economic-advisor-lael-brainard-and-senior-administration-officials-on-president-bidens-actions-to-protect-american-workers-and-businesses.md", "Why are these not inflationary?")
add(k, "how is the President preparing for his UNGA speech?", C, WH + "2022-09/2022-09-16-press-briefing-by-press-secretary-karine-jean-pierre-and-national-security-council-coordinator-for-strategic-communications-john-kirby-september-16-2022.md", "how President Biden is preparing for his UNGA address")
add(k, "is the President taking extra precautions after the COVID cases from the Correspondents' Dinner?", C, WH + "2022-05/2022-05-06-press-gaggle-by-press-secretary-jen-psaki-5.md", "there’s been a spike of cases following the Correspondents’ Dinner")
add(k, "will the administration ask Facebook to take down old Fauci videos about masks?", C, WH + "2021-07/2021-07-16-press-briefing-by-press-secretary-jen-psaki-july-16-2021.md", "videos of Dr. Fauci from 2020")
add(k, "can you confirm a Biden Xi meeting in San Francisco at APEC?", C, WH + "2023-09/2023-09-22-press-briefing-by-press-secretary-karine-jean-pierre-and-representative-lucy-mcbath.md", "working towards a Biden-Xi meeting in San Francisco on the sidelines of APEC")
add(k, "who is going to replace Mitch Landrieu?", C, WH + "2024-01/2024-01-10-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-january-10-2024.md", "Mitch Landrieu is leaving the administration")
add(k, "what does the President mean by bogged down?", C, WH + "2021-02/2021-02-05-press-briefing-by-press-secretary-jen-psaki-and-council-of-economic-advisers-member-jared-bernstein-february-5-2021.md", "What’s his definition of “bogged down”")
add(k, "which Chinese leader will attend the DPRK 70th anniversary?", C, "mfa/t1591256.html", "the DPRK will mark its 70th anniversary as a nation")
add(k, "what international assistance has China received for the coronavirus outbreak?", C, "mfa/t1740929.html", "Can you update us on the international assistance China has received")
add(k, "does China support the extradition of a Chinese national from Switzerland to the US?", C, "mfa/t1681711.html", "launched the extradition of a Chinese national to the US")
add(k, "will China slow down customs clearance of US goods as a countermeasure?", C, "mfa/t1577090.html", "prolonging the customs clearance process of the US goods")
add(k, "do you think the super committee will benefit from the market turmoil?", M, OB + "1095.html", "do you think that the super committee will actually benefit")
add(k, "is the President comfortable with the pace of weapons contracts to replace what was sent to Ukraine?", C, WH + "2022-05/2022-05-02-press-briefing-by-press-secretary-jen-psaki-may-2-2022.md", "issuing the new contracts to replace some of the weaponry sent overseas")
add(k, "did you know there was a search going on at the President's home in Rehoboth?", M, PC + "2023-01-23-press-briefing-by-press-secretary-karine-jean-pierre-and-secretary-of-energy-jennifer-granholm-2.md", "Did you know Friday there was a search going on at the President’s home")
add(k, "what does for as long as it takes mean for Ukraine?", M, PC + "2022-06-30-remarks-by-president-biden-in-press-conference-madrid-spain.md", "G7 leaders this week pledged to support Ukraine")
add(k, "does Manchin support the Build Back Better bill, yes or no?", M, PC + "2021-11-02-remarks-by-president-biden-in-press-conference-5.md", "do you have a specific commitment from Senator Manchin")

# ---- paraphrase: the same thing in other words than the transcript
k = "paraphrase"
add(k, "Pompeo criticized China's ties with South America during his Chile trip", C, "mfa/t1654570.html", "unfriendly remarks about China and China-Latin America relations")
add(k, "Xi Modi meeting summary left out the border dispute", C, "mfa/t1580976.html", "did not mention anything related to the Sino-Indian border")
add(k, "China retaliatory sanctions after WTO decision and the trade negotiations", C, "mfa/t1709811.html", "China is seeking counter-sanctions against the US for failing to comply with the WTO ruling")
add(k, "Chinese foreign minister trip to Pakistan after the elections", C, "mfa/t1592800.html", "State Councilor and Foreign Minister Wang Yi will visit Pakistan")
add(k, "talks with Iran's deputy foreign minister in Beijing about the nuclear deal", C, "mfa/t1720852.html", "held consultations on the Iranian nuclear issue in Beijing yesterday")
add(k, "US threatens duties on another 200 billion dollars of Chinese imports", C, "mfa/t1569968.html", "imposing tariffs on an additional $200 billion worth of Chinese goods")
add(k, "India and Pakistan joined the same SCO counterterrorism drill", C, "mfa/t1588564.html", "both Pakistan and India took part in the anti-terror exercise")
add(k, "Sudan generals and protesters agree on a power sharing council", C, "mfa/t1679473.html", "announced the formation of a military-civilian sovereignty council")
add(k, "Pompeo blames China and Russia for blocking a UN statement on Venezuela", C, "mfa/t1633218.html", "blamed China and Russia for obstructing the adoption of a presidential statement")
add(k, "message to Americans tired of the pandemic who need a booster jab", C, WH + "2021-11/2021-11-19-press-briefing-by-press-secretary-jen-psaki-november-19-2021.md", "potentially need to get a third shot")
add(k, "Jordan's king worried about Israel and the Al-Aqsa status quo", C, WH + "2023-02/2023-02-02-press-briefing-by-press-secretary-karine-jean-pierre-and-director-of-the-white-house-gender-policy-council-jennifer-klein.md", "the King’s concern that the Israeli government is not respecting the status quo at Al-Aqsa Mosque")
add(k, "Havana syndrome victims need to be believed", C, WH + "2021-10/2021-10-14-press-briefing-by-press-secretary-jen-psaki-october-14-2021.md", "the victims of these anomalous health incidents")
add(k, "will Biden lift the refugee ceiling to 125,000", C, WH + "2021-02/2021-02-04-press-briefing-by-press-secretary-jen-psaki-and-national-security-advisor-jake-sullivan-february-4-2021.md", "raise the cap for the fiscal year for refugees")
add(k, "business lobby wants limits on discretionary spending in the debt ceiling deal", C, WH + "2023-05/2023-05-09-press-briefing-by-press-secretary-karine-jean-pierre-33.md", "the U.S. Chamber of Commerce today called for an agreement that includes discretionary spending caps")
add(k, "Netanyahu says an agreement with Tehran would not bind Israel", C, WH + "2023-06/2023-06-12-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-15.md", "any potential deal between the administration and Iran is not going to be binding for Israel")
add(k, "Beijing reaction like after Pelosi went to Taiwan", C, WH + "2023-03/2023-03-29-press-briefing-by-press-secretary-karine-jean-pierre-and-national-security-council-coordinator-for-strategic-communications-john-kirby-8.md", "there was a very robust backlash in response from China")
add(k, "Chinese doctors sent to Kazakhstan", C, "mfa/t1768338.html", "a team of medical experts the Chinese government sent to Kazakhstan")
add(k, "steps China and India are taking to calm the frontier standoff", C, "mfa/t1787995.html", "China and India are taking actions to ease the border situation")
add(k, "does the White House trust Netanyahu on a two state solution while settlements keep growing", M, OB + "171.html", "Do you believe what Netanyahu says about wanting that two-state solution")
add(k, "Biden denies comparing opponents of the voting bills to segregationists", M, PC + "2022-01-19-remarks-by-president-biden-in-press-conference-6.md", "you dispute the characterization that you called folks who would oppose those voting bills")
add(k, "was the 70 million ransom paid in the cyberattack", M, PC + "2021-07-06-press-briefing-by-press-secretary-jen-psaki-july-6-2021.md", "Are you aware whether, in this particular case, the ransom of $70 million has been paid")
add(k, "private companies charging thousands for seats on evacuation flights from Afghanistan", C, WH + "2021-08/2021-08-25-press-briefing-by-press-secretary-jen-psaki-august-25-2021.md", "private contractors now selling seats for thousands of dollars on charter flights out of Kabul")
add(k, "will Biden sign a ban on buying Russian crude", C, WH + "2022-03/2022-03-07-press-briefing-by-press-secretary-jen-psaki-march-7th-2022.md", "House Speaker Nancy Pelosi has suggested that Russian oil imports should be banned")

# ---- common_words: long queries made mostly of common words, as remembered
k = "common_words"
add(k, "you may not like my answer but the president is going to continue to go out there", C, WH + "2024-07/2024-07-08-press-briefing-by-press-secretary-karine-jean-pierre-and-national-security-advisor-john-kirby-july-8-2024.md", "you may not like my answer, but I’m telling you the president is going to continue to go out there")
add(k, "the hostile act is committing espionage on our own soil", C, WH + "2022-02/2022-02-28-press-briefing-by-press-secretary-jen-psaki-february-28-2022.md", "I think the hostile act is committing espionage activities on our own soil")
add(k, "how do you make him shiny and bright", C, WH + "2024-07/2024-07-08-press-briefing-by-press-secretary-karine-jean-pierre-and-national-security-advisor-john-kirby-july-8-2024.md", "But how do you make him shiny and bright at the NAACP?")
add(k, "what will happen on the x date when there is still money left which checks get paid first", C, WH + "2023-05/2023-05-24-press-briefing-by-press-secretary-karine-jean-pierre-35.md", "what will practically happen on X-date")
add(k, "he is a congenital optimist as he likes to say", C, WH + "2022-11/2022-11-07-press-briefing-by-press-secretary-karine-jean-pierre-november-7-2022.md", "I know he’s a congenital optimist, as he likes to say")
add(k, "if the infrastructure bill gets there first will he sign it no one has clarified that", C, WH + "2021-06/2021-06-28-press-briefing-by-press-secretary-jen-psaki-june-28-2021.md", "no one has clarified that")
add(k, "we are evacuating people free of cost because that is the right step to take", C, WH + "2021-08/2021-08-25-press-briefing-by-press-secretary-jen-psaki-august-25-2021.md", "we are evacuating people free of cost because that is the right step to take")
add(k, "your questions are very clear to me because you said first question second question", C, "mfa/t1681206.html", "Your questions are very clear to me. Why? Because you said")
add(k, "i am feeling very good about pennsylvania", M, PC + "2024-09-13-remarks-by-vice-president-harris-in-press-gaggle-johnstown-pa.md", "I am feeling very good about Pennsylvania because there are a lot of people in Pennsylvania")
add(k, "it's just the same old trick it plays whenever it wants to shift responsibility to others", C, "mfa/t1789509.html", "It is just the same old trick it plays whenever it seeks to shift responsibility to others")
add(k, "what is the reaction to what he said about the killer and how would you ever trust him", M, PC + "2021-06-14-remarks-by-president-biden-in-press-conference-3.md", "Vladimir Putin laughed at the suggestion that you had called him")
add(k, "super is as super does", M, OB + "1095.html", "super is as super does")
add(k, "a lie is a lie no matter how many times it is repeated", C, "mfa/t1771576.html", "But a lie is a lie no matter how many times it is repeated")
add(k, "they are breaking their word to support a bipartisan agreement", C, WH + "2024-12/2024-12-20-press-briefing-by-press-secretary-karine-jean-pierre-76.md", "They are breaking their word to support a bipartisan agreement")
add(k, "what does it mean for the republican party as it stands today", M, PC + "2022-11-13-remarks-by-president-biden-in-press-gaggle-9.md", "What does it mean for the Republican Party as it stands today")
add(k, "if you have to weigh national security against bilateral relations it is only too evident which is more important", C, "mfa/t1794266.html", "If you have to weigh national security against bilateral relations")
add(k, "what did you argue behind the scenes to bring people to where they got", M, PC + "2021-06-13-remarks-by-president-biden-in-press-conference-2.md", "What did you argue behind the scenes to try to bring people to the point where they got")

# ---- quote: an exact quote in double quotes
k = "quote"
add(k, '"typical Pompeo in his lying and cheating style"', C, "mfa/t1764777.html", "this is typical Pompeo in his")
add(k, '"a recipe for economic catastrophe"', C, WH + "2023-05/2023-05-24-press-briefing-by-press-secretary-karine-jean-pierre-35.md", "It is a recipe for economic catastrophe")
add(k, '"if it\'s a country that reports show as having trouble feeding its own citizens"', C, WH + "2023-01/2023-01-20-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-8.md", "having trouble feeding its own citizens")
add(k, '"we are laser-focused on the destabilizing activity"', C, WH + "2023-06/2023-06-12-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-15.md", "We are laser-focused on the destabilizing activity")
add(k, '"it is not our tradition to be belligerent and aggressive"', C, "mfa/t1779579.html", "it is not our tradition to be belligerent and aggressive")
add(k, '"coordinated and arranged by the border troops"', C, "mfa/t1791668.html", "The relevant measures are coordinated and arranged by the border troops")
add(k, '"the counteractions you experience depend on the actions you exert"', C, "mfa/t1577090.html", "the counteractions you experience depend on the actions you exert")
add(k, '"come back to its senses"', C, "mfa/t1569968.html", "In brief, our advice for the US is that it should come back to its senses")
add(k, '"we\'re at war with the virus"', C, WH + "2021-01/2021-01-26-press-briefing-by-press-secretary-jen-psaki-and-domestic-policy-advisor-susan-rice-january-26-2021.md", "100 million doses in 100 days")
add(k, '"the Speaker walked away from the table"', M, OB + "1095.html", "Unfortunately, the Speaker walked away from the table")
add(k, '"Made in America" Rolls-Royce Crosspointe', M, OB + "963.html", "the Rolls-Royce Crosspointe plant")
add(k, '"one of the darkest days in our democracy"', C, WH + "2023-05/2023-05-30-press-briefing-by-press-secretary-karine-jean-pierre-and-office-of-management-and-budget-director-shalanda-young.md", "Florida Governor Ron DeSantis said late last week")
add(k, '"recipe for economic crisis" Manchin', M, PC + "2021-11-02-remarks-by-president-biden-in-press-conference-5.md", "do you have a specific commitment from Senator Manchin")
add(k, '"I retweeted this open letter myself"', C, "mfa/t1765751.html", "I retweeted this open letter myself")
add(k, '"is not typically constructive to talk a great deal about these cases"', C, WH + "2022-04/2022-04-11-press-briefing-by-press-secretary-jen-psaki-april-11-2022.md", "it is not typically constructive to talk a great deal about these cases")
add(k, '"if they don\'t, it\'s no big deal"', C, "mfa/t1712652.html", "But if they don't, it's no big deal")
add(k, '"be careful" Iran drone attacks troops Iraq Syria', M, PC + "2023-10-25-remarks-by-president-biden-and-prime-minister-anthony-albanese-of-australia-in-joint-press-conference.md", "Twenty-four U.S. troops have been injured")

# ---- typo: misspelled words as typed in a hurry
k = "typo"
add(k, "Brittney Griener detention extended", C, WH + "2022-04/2022-04-11-press-briefing-by-press-secretary-jen-psaki-april-11-2022.md", "Do you have an update on Brittney Griner")
add(k, "omicron varient cases minnesota california", C, WH + "2021-12/2021-12-02-press-briefing-by-press-secretary-jen-psaki-december-2-2021.md", "other than the Minnesota case and the California case")
add(k, "Ashdod alternative to the peir Erez crossing", C, WH + "2024-07/2024-07-18-on-the-record-press-gaggle-by-white-house-national-security-communications-advisor-john-kirby-17.md", "Is Ashdod really a viable alternative to the pier")
add(k, "Serbian troops on the boarder with Kosovo", C, WH + "2023-10/2023-10-03-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-19.md", "Serbian troops on the border with Kosovo")
add(k, "student loan servicers four month period concernd", C, WH + "2022-08/2022-08-31-press-briefing-by-press-secretary-karine-jean-pierre-august-31-2022.md", "We’ve been hearing from some loan servicers and advocacy groups")
add(k, "short term spending bill thre months six months council preferance", C, WH + "2024-09/2024-09-19-press-briefing-by-press-secretary-karine-jean-pierre-and-chair-of-the-council-of-economic-advisers-jared-bernstein-september-19-2024.md", "pass a short-term spending bill of some kind")
add(k, "climate summit no central american contries invited", C, WH + "2021-04/2021-04-19-press-briefing-by-press-secretary-jen-psaki-april-19-2021.md", "there are no Central American countries that have been invited to the Climate Summit")
add(k, "Canadian citizen arested in Yantai drug case", C, "mfa/t1681206.html", "a Canadian citizen was arrested in Yantai")
add(k, "phone calls between trade negociating teams over the weekend", C, "mfa/t1692308.html", "phone calls that President Trump mentioned between Chinese and US trade negotiating teams")
add(k, "phase one deal Global Times very close", C, "mfa/t1718746.html", "China and the US are very close to the phase one deal")
add(k, "Wang Yi met Bolivian foriegn minister", C, "mfa/t1563568.html", "Wang Yi met this morning with the Foreign Minister of Bolivia")
add(k, "Indonesia tsunami disaster managment cooperation ASEAN", C, "mfa/t1625414.html", "The tsunami casualties in Indonesia this time have been huge")
add(k, "Kyrgyzstan Zhong Ji mining clashes livestok", C, "mfa/t1687328.html", "suspended the operation of Zhong Ji Mining Company")
add(k, "Pelosi Carrie Lam universal sufferage police violence", C, "mfa/t1694950.html", "Speaker of the US House of Representatives Nancy Pelosi said the move was welcome news")
add(k, "Meng Wanzhou lawsuit agaisnt Canadian government airport", C, "mfa/t1642779.html", "has filed a lawsuit against the Canadian government and police")
add(k, "Saudi Arabia oil output cut consequnces review", M, PC + "2022-10-20-on-the-record-press-gaggle-by-nsc-coordinator-for-strategic-communications-john-kirby.md", "what’s the status of the review of Saudi Arabia")
add(k, "conversation with Whelan family befor the announcement Griner", M, PC + "2022-07-27-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-4.md", "was there any conversation with the family of Whelan")
add(k, "religous minorities Modi human rights democracy", M, PC + "2023-06-22-remarks-by-president-biden-and-prime-minister-modi-of-the-republic-of-india-in-joint-press-conference.md", "who believe that your administration is overlooking the targeting of religious minorities")
add(k, "Nasheed Maldives debt trap disciplinning agent", C, "mfa/t1568643.html", "China has created a debt trap for the Maldives")
add(k, "Pelosi husband attack Harris messege", M, PC + "2022-10-28-remarks-by-vice-president-harris-in-press-gaggle-6.md", "I did talk with Speaker Pelosi this morning")

# ---- quote, pasted without quote marks: fragments of 6-16 words drawn at random (seeded) from turns, each in
# at most two turns of the corpora; added to the development set in session 4 (all dev: the held-out set stays as it was)
k = "quote"
add(k, "I’m just not going to give you", C, WH + "2021-10/2021-10-14-press-briefing-by-press-secretary-jen-psaki-october-14-2021.md", "I’m just not going to give you", "dev")
add(k, "a point of clarification and then a", M, H20 + "white_house_briefing_April-02-2020.html", "a point of clarification and then a", "dev")
add(k, "expect that during this calendar year", M, PC + "2022-03-28-press-briefing-by-deputy-press-secretary-andrew-bates-omb-director-shalanda-young-and-cea-chair-cecilia-rouse.md", "expect that during this calendar year", "dev")
add(k, "I would have to go back or refer you to the Department of Education", C, WH + "2023-12/2023-12-08-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-december-7-2023.md", "I would have to go back or refer you to the Department of Education", "dev")
add(k, "the administration do to help kids catch up, who’ve lost so much during the pandemic", C, WH + "2023-05/2023-05-03-press-briefing-by-press-secretary-karine-jean-pierre-31.md", "the administration do to help kids catch up, who’ve lost so much during the pandemic", "dev")
add(k, "given to — to the American people", C, WH + "2022-10/2022-10-19-press-briefing-by-press-secretary-karine-jean-pierre-october-19-2022.md", "given to — to the American people", "dev")
add(k, "Well, I think we’ve encouraged or supported any efforts at diplomacy", C, WH + "2022-04/2022-04-11-press-briefing-by-press-secretary-jen-psaki-april-11-2022.md", "Well, I think we’ve encouraged or supported any efforts at diplomacy", "dev")
add(k, "Haiti, does the President support halting deportations to Haiti", C, WH + "2021-07/2021-07-14-press-briefing-by-press-secretary-jen-psaki-july-14-2021.md", "Haiti, does the President support halting deportations to Haiti", "dev")
add(k, "also, we will rely on the guidance and the timeline of our health and medical teams", C, WH + "2021-04/2021-04-13-press-briefing-by-press-secretary-jen-psaki-niaid-director-and-chief-medical-advisor-to-the-president-dr-anthony-fauci-and-covid-19-response-coordinator-jeff-zients-april-13-2021.md", "also, we will rely on the guidance and the timeline of our health and medical teams", "dev")
add(k, "process of connection to the agencies to do that", C, WH + "2024-01/2024-01-08-press-gaggle-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-en-route-charleston-sc.md", "process of connection to the agencies to do that", "dev")
add(k, "the Wall Street Journal had a good article about them this week", C, WH + "2021-06/2021-06-25-press-briefing-by-press-secretary-jen-psaki-june-25-2021.md", "the Wall Street Journal had a good article about them this week", "dev")
add(k, "and Prime Minister Netanyahu don’t see eye-to-eye on every issue, and that is clear, they", C, WH + "2024-09/2024-09-26-on-the-record-press-gaggle-by-white-house-national-security-communications-advisor-john-kirby-30.md", "and Prime Minister Netanyahu don’t see eye-to-eye on every issue, and that is clear, they", "dev")
add(k, "that statement, China promised to work with Russia on the financial market (inaudible)", C, WH + "2023-03/2023-03-22-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-11.md", "that statement, China promised to work with Russia on the financial market (inaudible)", "dev")
add(k, "left in funding for Ukraine, both military and humanitarian, until the new funding bill", C, WH + "2023-10/2023-10-02-press-briefing-by-press-secretary-karine-jean-pierre-48.md", "left in funding for Ukraine, both military and humanitarian, until the new funding bill", "dev")
add(k, "Obviously, our national security team has a range of means of communicating with the Russians", C, WH + "2022-02/2022-02-25-press-briefing-by-press-secretary-jen-psaki-february-25-2022.md", "Obviously, our national security team has a range of means of communicating with the Russians", "dev")
add(k, "Does the reward outweigh the risk when it —", C, WH + "2023-02/2023-02-27-press-briefing-by-press-secretary-karine-jean-pierre-and-national-security-council-coordinator-for-strategic-communications-john-kirby-6.md", "Does the reward outweigh the risk when it —", "dev")

# ---- paraphrase, session 8: written from turns drawn at random (seeded) from both corpora, the way a journalist
# would ask for them in other words; all dev (written before any tuning of session 8; the held-out set stays as it was)
k = "paraphrase"
P8 = [
    (C, WH + "2023-06/2023-06-12-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-15.md", "is the navy officer jailed in Japan considered unjustly held", "consider Lieutenant Alkonis to be an American who is wrongfully detained"),
    (C, WH + "2023-11/2023-11-07-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-27.md", "still no limits for Israel as civilian casualties in Gaza climb", "the administration has no red lines at all"),
    (C, WH + "2024-02/2024-02-29-press-gaggle-by-principal-deputy-press-secretary-olivia-dalton-and-secretary-of-homeland-security-alejandro-mayorkas-en-route-brownsville-tx.md", "will Biden see asylum seekers during the Brownsville visit", "Will he meet with migrants"),
    (C, WH + "2021-10/2021-10-12-press-briefing-by-press-secretary-jen-psaki-october-12-2021.md", "millions of Americans resigning from their jobs good or bad sign", "nearly 3 percent of U.S. workers quit their jobs in August"),
    (C, WH + "2021-09/2021-09-30-press-briefing-by-press-secretary-jen-psaki-september-30-2021.md", "critics say Biden kept his predecessor's policy on Havana", "continuing to maintain Trump-era policies"),
    (C, WH + "2022-12/2022-12-08-background-press-call-on-the-release-of-brittney-griner.md", "how Griner got from the Russian prison camp to Abu Dhabi for the swap", "moved Brittney from the penal colony to Moscow"),
    (C, WH + "2022-02/2022-02-14-press-briefing-by-principal-deputy-press-secretary-karine-jean-pierre-5.md", "are Japan, India and Australia united with the US against Moscow", "Do you think these countries are unanimous on the"),
    (C, WH + "2023-06/2023-06-05-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-13.md", "Haley says trans students in girls' changing rooms raise teen suicide risk", "allowing transgender girls into female locker rooms"),
    (C, WH + "2023-06/2023-06-19-press-gaggle-by-press-secretary-karine-jean-pierre-en-route-palo-alto-ca.md", "is Moscow to blame for destroying the Ukrainian dam and what punishment", "Russia was likely behind the dam that exploded in Ukraine"),
    (C, WH + "2021-12/2021-12-21-background-press-call-by-senior-admin-officials-on-national-security-advisor-sullivans-upcoming-travel-to-the-state-of-israel-and-the-west-bank.md", "Sullivan goes to Israel while the Iran nuclear negotiations are close to failing", "the Iran talks seem to be teetering on the brink of collapse"),
    (C, WH + "2024-02/2024-02-20-press-call-by-secretary-of-education-miguel-cardona-white-house-deputy-chief-of-staff-natalie-quillian-and-senior-administration-officials-on-student-debt-cancelation.md", "what will Biden say about college loan forgiveness on the California trip", "delivering student debt relief to as many borrowers as possible"),
    (C, WH + "2023-09/2023-09-30-press-briefing-by-press-secretary-karine-jean-pierre-and-office-of-management-and-budget-director-shalanda-young-2.md", "can emergency disaster work go on if the government closes and a big hurricane hits", "a catastrophic event that pushes FEMA past the point"),
    (C, WH + "2023-01/2023-01-18-press-briefing-by-press-secretary-karine-jean-pierre-january-18-2023.md", "has Biden called the Texas governor since his trip to El Paso", "Has he spoken with Governor Abbott to follow up"),
    (C, WH + "2021-08/2021-08-25-press-briefing-by-press-secretary-jen-psaki-august-25-2021.md", "does the spy agencies' review say where covid came from", "is there a better understanding of what was the ultimate origin"),
    (C, WH + "2023-12/2023-12-19-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-34.md", "will you tell reporters when the president's son flies on the helicopter", "Will the White House announce Hunter Biden’s presence on Marine One"),
    (C, WH + "2023-09/2023-09-25-press-briefing-by-press-secretary-karine-jean-pierre-and-secretary-of-agriculture-tom-vilsack.md", "why did Biden get his new covid shot in private without cameras", "latest COVID booster out of public view"),
    (C, WH + "2023-07/2023-07-05-press-briefing-by-press-secretary-karine-jean-pierre-41.md", "the law on political activity by federal employees does not apply to the president himself", "The President is not covered by the Hatch Act"),
    (C, WH + "2021-06/2021-06-21-press-briefing-by-press-secretary-jen-psaki-june-21-2021.md", "how do you pay for roads when electric cars mean less gasoline tax", "impact then on the Highway Trust Fund"),
    (C, WH + "2023-03/2023-03-22-press-briefing-by-press-secretary-karine-jean-pierre-and-nsc-coordinator-for-strategic-communications-john-kirby-11.md", "bank chiefs meet in Washington to rescue First Republic", "Bank CEOs have been meeting in D.C. since yesterday"),
    (C, "mfa/t1748946.html", "State Department says Moscow spreads online conspiracy theories blaming America for the virus", "Russia launched a disinformation campaign on social media"),
    (C, WH + "2023-05/2023-05-16-press-briefing-by-press-secretary-karine-jean-pierre-and-national-security-council-coordinator-for-strategic-communications-john-kirby-11.md", "special counsel report says the bureau needs a complete overhaul", "does he agree with Special Counsel Durham that there needs to be wholesale changes at the FBI"),
    (M, H20 + "white_house_briefing_March-23-2020.html", "is the lockdown doing more harm than the disease itself", "do you think that the cure, so far, has been worse than the problem"),
    (M, OB + "603.html", "Romney calls the Obamacare launch an embarrassment", "the rollout of the Affordable Care Act federally has been an embarrassment"),
    (M, PC + "2022-03-11-remarks-by-vice-president-harris-and-president-iohannis-of-romania-in-joint-press-conference.md", "Romania pays a heavy price hosting people fleeing Ukraine, does it want more American soldiers", "enduring enormous cost aiding Ukrainian refugees"),
    (M, H20 + "white_house_briefing_April-19-2020.html", "Trump talked with Merkel, Germany begins to ease its lockdown", "Germany is starting the process also"),
    (M, OB + "975.html", "think tank says administration handed out grants to undecided members before key votes", "federal grants that the administration had put out on the eves"),
    (M, OB + "195.html", "should Hillary keep testifying to the Benghazi panel after McCarthy's remark about her polls", "Does the White House have an opinion as to whether or not she should continue to appear"),
    (M, OB + "135.html", "is the Zika response modeled on how Obama handled the Ebola outbreak", "approaching the spread of the Zika virus similar to the way he approached"),
    (M, OB + "147.html", "why is Washington neutral between Riyadh and Tehran when one is an ally", "speaking with such studied neutrality"),
    (M, OB + "411.html", "generals doubt air strikes can beat the Islamic State without ground troops", "without boots on the ground"),
    (C, "mfa/t1680717.html", "US may lift North Korea penalties for a year or more if Yongbyon is dismantled", "suspension of certain sanctions on the DPRK"),
    (C, "mfa/t1606490.html", "American destroyers pass through the strait near Taiwan, is it a provocation", "The US navy warships yesterday sailed through the Taiwan Strait"),
    (C, "mfa/t1568234.html", "Hong Kong localist leader jailed for six years over riot, Patten says law abused", "was sentenced to six years in prison yesterday for rioting"),
    (C, "mfa/t1732612.html", "rights groups' reports say Beijing undermines democracy abroad", "two reports from Human Rights Watch and Freedom House"),
    (C, "mfa/t1674433.html", "what help will Beijing give Pyongyang after Xi's trip", "anything specific that China will provide to the DPRK"),
    (C, "mfa/t1672341.html", "can Bachelet go to Xinjiang freely without minders", "open invitation to visit Xinjiang"),
    (C, "mfa/t1655697.html", "German and Belgian regulators see no reason to shut Huawei out of 5G", "no equipment supplier, including Huawei, should be specifically excluded"),
    (C, "mfa/t1642779.html", "would Beijing act as a go-between for New Delhi and Islamabad like Moscow offered", "Is China ready to play a mediation role between India and Pakistan"),
    (C, "mfa/t1620575.html", "Indian and Chinese troops resume joint drills after the Doklam standoff", "A 14-day joint military exercise is going to take place in Chengdu"),
    (C, "mfa/t1706849.html", "Trump lets American firms supply Huawei before trade negotiations", "President Trump had approved some sales to Huawei"),
    (C, "mfa/t1698946.html", "hundreds of Chinese citizens detained in a Manila internet casino raid", "More than 300 Chinese nationals were arrested for alleged online gambling"),
    (C, "mfa/t1567257.html", "will Korean denuclearization be on the agenda at Qingdao", "Will the Korean Peninsula nuclear issue be discussed at the upcoming SCO Summit"),
    (M, OB + "735.html", "new hard-right Israeli cabinet and Netanyahu on settlements", "the new Israeli coalition government is being formed"),
    (M, OB + "1287.html", "Obama refused to threaten a veto in his ABC interview", "he specifically would not draw a veto line in the sand"),
    (M, PC + "2022-10-06-press-gaggle-by-press-secretary-karine-jean-pierre-and-nec-director-brian-deese-en-route-poughkeepsie-ny.md", "after the OPEC production cut will you still buy back oil for the emergency stockpile", "does this plan by OPEC change your plans for refilling the SPR"),
    (M, OB + "783.html", "must a fiscal cliff outline be agreed by the end of the week", "you actually have to get a broad framework by this Friday"),
    (M, OB + "1167.html", "raising the borrowing limit without cutting the deficit is like a family opening another credit card", "a family taking out another credit card"),
]
for corpus, file, q, snippet in P8:
    add(k, q, corpus, file, snippet, "dev")

HELD = {2, 5, 8}   # index within its kind mod 10: the held-out share (30%)
count = {}
with open(Path(__file__).with_name("queries.jsonl"), "w", encoding="utf-8") as out:
    for kind, q, corpus, file, snippet, fixed in E:
        i = count.get(kind, 0)
        count[kind] = i + 1
        split = fixed or ("heldout" if i % 10 in HELD else "dev")
        out.write(json.dumps({"id": f"{kind}-{i + 1:02d}", "kind": kind, "q": q, "corpus": corpus, "file": file,
                              "snippet": snippet, "split": split}, ensure_ascii=False) + "\n")
print(count, sum(count.values()))
