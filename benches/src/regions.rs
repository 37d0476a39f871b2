//! The regions of Shandong province (GB/T 2260): the province, its 16
//! cities and their counties, used to spread generated works the way a real
//! provincial library is spread.

/// A city with its short name (for document numbers) and counties.
#[derive(Debug)]
pub struct City {
    /// City code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
    /// One-character abbreviation used in document numbers (青政办发).
    pub abbr: &'static str,
    /// Counties and districts: (code, name).
    pub counties: &'static [(&'static str, &'static str)],
}

/// The province.
pub const PROVINCE: (&str, &str, &str) = ("370000", "山东省", "鲁");

/// Every region the generator can use: the cities, their counties and
/// townships 001–012 of each county (the province itself is the node's
/// own region, so it is not listed).
pub fn all() -> Vec<wenku_model::Region> {
    let r = |s: &str| wenku_model::Region::parse(s).expect("the region table holds valid codes");
    let mut out = Vec::new();
    for city in CITIES {
        out.push(r(city.code));
        for (county, _) in city.counties {
            out.push(r(county));
            for n in 1..=12 {
                out.push(r(&format!("{county}{n:03}")));
            }
        }
    }
    out
}

/// Cities and counties of Shandong.
pub const CITIES: &[City] = &[
    City {
        code: "370100",
        name: "济南市",
        abbr: "济",
        counties: &[
            ("370102", "历下区"),
            ("370103", "市中区"),
            ("370104", "槐荫区"),
            ("370105", "天桥区"),
            ("370112", "历城区"),
            ("370113", "长清区"),
            ("370114", "章丘区"),
            ("370115", "济阳区"),
            ("370116", "莱芜区"),
            ("370117", "钢城区"),
            ("370124", "平阴县"),
            ("370126", "商河县"),
        ],
    },
    City {
        code: "370200",
        name: "青岛市",
        abbr: "青",
        counties: &[
            ("370202", "市南区"),
            ("370203", "市北区"),
            ("370211", "黄岛区"),
            ("370212", "崂山区"),
            ("370213", "李沧区"),
            ("370214", "城阳区"),
            ("370215", "即墨区"),
            ("370281", "胶州市"),
            ("370283", "平度市"),
            ("370285", "莱西市"),
        ],
    },
    City {
        code: "370300",
        name: "淄博市",
        abbr: "淄",
        counties: &[
            ("370302", "淄川区"),
            ("370303", "张店区"),
            ("370304", "博山区"),
            ("370305", "临淄区"),
            ("370306", "周村区"),
            ("370321", "桓台县"),
            ("370322", "高青县"),
            ("370323", "沂源县"),
        ],
    },
    City {
        code: "370400",
        name: "枣庄市",
        abbr: "枣",
        counties: &[
            ("370402", "市中区"),
            ("370403", "薛城区"),
            ("370404", "峄城区"),
            ("370405", "台儿庄区"),
            ("370406", "山亭区"),
            ("370481", "滕州市"),
        ],
    },
    City {
        code: "370500",
        name: "东营市",
        abbr: "东",
        counties: &[
            ("370502", "东营区"),
            ("370503", "河口区"),
            ("370505", "垦利区"),
            ("370522", "利津县"),
            ("370523", "广饶县"),
        ],
    },
    City {
        code: "370600",
        name: "烟台市",
        abbr: "烟",
        counties: &[
            ("370602", "芝罘区"),
            ("370611", "福山区"),
            ("370612", "牟平区"),
            ("370613", "莱山区"),
            ("370614", "蓬莱区"),
            ("370681", "龙口市"),
            ("370682", "莱阳市"),
            ("370683", "莱州市"),
            ("370685", "招远市"),
            ("370686", "栖霞市"),
            ("370687", "海阳市"),
        ],
    },
    City {
        code: "370700",
        name: "潍坊市",
        abbr: "潍",
        counties: &[
            ("370702", "潍城区"),
            ("370703", "寒亭区"),
            ("370704", "坊子区"),
            ("370705", "奎文区"),
            ("370724", "临朐县"),
            ("370725", "昌乐县"),
            ("370781", "青州市"),
            ("370782", "诸城市"),
            ("370783", "寿光市"),
            ("370784", "安丘市"),
            ("370785", "高密市"),
            ("370786", "昌邑市"),
        ],
    },
    City {
        code: "370800",
        name: "济宁市",
        abbr: "济宁",
        counties: &[
            ("370811", "任城区"),
            ("370812", "兖州区"),
            ("370826", "微山县"),
            ("370827", "鱼台县"),
            ("370828", "金乡县"),
            ("370829", "嘉祥县"),
            ("370830", "汶上县"),
            ("370831", "泗水县"),
            ("370832", "梁山县"),
            ("370881", "曲阜市"),
            ("370883", "邹城市"),
        ],
    },
    City {
        code: "370900",
        name: "泰安市",
        abbr: "泰",
        counties: &[
            ("370902", "泰山区"),
            ("370911", "岱岳区"),
            ("370921", "宁阳县"),
            ("370923", "东平县"),
            ("370982", "新泰市"),
            ("370983", "肥城市"),
        ],
    },
    City {
        code: "371000",
        name: "威海市",
        abbr: "威",
        counties: &[
            ("371002", "环翠区"),
            ("371003", "文登区"),
            ("371082", "荣成市"),
            ("371083", "乳山市"),
        ],
    },
    City {
        code: "371100",
        name: "日照市",
        abbr: "日",
        counties: &[
            ("371102", "东港区"),
            ("371103", "岚山区"),
            ("371121", "五莲县"),
            ("371122", "莒县"),
        ],
    },
    City {
        code: "371300",
        name: "临沂市",
        abbr: "临",
        counties: &[
            ("371302", "兰山区"),
            ("371311", "罗庄区"),
            ("371312", "河东区"),
            ("371321", "沂南县"),
            ("371322", "郯城县"),
            ("371323", "沂水县"),
            ("371324", "兰陵县"),
            ("371325", "费县"),
            ("371326", "平邑县"),
            ("371327", "莒南县"),
            ("371328", "蒙阴县"),
            ("371329", "临沭县"),
        ],
    },
    City {
        code: "371400",
        name: "德州市",
        abbr: "德",
        counties: &[
            ("371402", "德城区"),
            ("371403", "陵城区"),
            ("371422", "宁津县"),
            ("371423", "庆云县"),
            ("371424", "临邑县"),
            ("371425", "齐河县"),
            ("371426", "平原县"),
            ("371427", "夏津县"),
            ("371428", "武城县"),
            ("371481", "乐陵市"),
            ("371482", "禹城市"),
        ],
    },
    City {
        code: "371500",
        name: "聊城市",
        abbr: "聊",
        counties: &[
            ("371502", "东昌府区"),
            ("371503", "茌平区"),
            ("371521", "阳谷县"),
            ("371522", "莘县"),
            ("371524", "东阿县"),
            ("371525", "冠县"),
            ("371526", "高唐县"),
            ("371581", "临清市"),
        ],
    },
    City {
        code: "371600",
        name: "滨州市",
        abbr: "滨",
        counties: &[
            ("371602", "滨城区"),
            ("371603", "沾化区"),
            ("371621", "惠民县"),
            ("371622", "阳信县"),
            ("371623", "无棣县"),
            ("371625", "博兴县"),
            ("371681", "邹平市"),
        ],
    },
    City {
        code: "371700",
        name: "菏泽市",
        abbr: "菏",
        counties: &[
            ("371702", "牡丹区"),
            ("371703", "定陶区"),
            ("371721", "曹县"),
            ("371722", "单县"),
            ("371723", "成武县"),
            ("371724", "巨野县"),
            ("371725", "郓城县"),
            ("371726", "鄄城县"),
            ("371728", "东明县"),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::{Level, Region};

    #[test]
    fn every_code_is_valid_and_nested() {
        let province = Region::parse(PROVINCE.0).expect("valid");
        for city in CITIES {
            let c = Region::parse(city.code).expect("valid city");
            assert_eq!(c.level(), Level::City, "{}", city.code);
            assert!(province.contains(&c));
            for (code, _) in city.counties {
                let k = Region::parse(code).expect("valid county");
                assert_eq!(k.level(), Level::County, "{code}");
                assert_eq!(k.parent(), Some(c), "{code}");
            }
        }
    }
}
